using MtaSts.Reporting;

namespace MtaSts.Tests.Reporting;

public class TlsRptRecordTests
{
    [Theory]
    [InlineData("v=TLSRPTv1;rua=mailto:reports@example.com", "mailto:reports@example.com", "RPT-6 minimal")]
    [InlineData("v=TLSRPTv1; rua=mailto:a@example.com , https://r.example.com/x", "mailto:a@example.com|https://r.example.com/x", "RPT-6 two URIs, spaces around ','")]
    [InlineData("v=TLSRPTv1; rua=https://r.example.com/x;", "https://r.example.com/x", "RPT-6 trailing delimiter")]
    [InlineData("v=TLSRPTv1; ext=1; rua=mailto:a@example.com", "mailto:a@example.com", "RPT-6 extensions ignored")]
    [InlineData("v=TLSRPTv1; rua=http://r.example.com/x,mailto:a@example.com", "mailto:a@example.com", "RPT-8 http is skipped")]
    public void TryParse_Valid(string text, string uris, string reason)
    {
        TlsRptRecord.TryParse(text, out var record, out var error).Should().BeTrue($"{reason}: {error}");
        record!.ReportingUris.Select(u => u.OriginalString).Should().Equal(uris.Split('|'), reason);
    }

    [Fact]
    public void TryParse_OnlyUnsupportedSchemes_ValidButUnusable()
    {
        TlsRptRecord.TryParse("v=TLSRPTv1; rua=http://r.example.com/x", out var record, out _).Should().BeTrue();
        record!.ReportingUris.Should().BeEmpty("RPT-8 no usable endpoint");
        record.SkippedUris.Should().Equal("http://r.example.com/x");
    }

    [Theory]
    [InlineData("v=TLSRPTv1", "RPT-6 no rua")]
    [InlineData("v=tlsrptv1; rua=mailto:a@example.com", "RPT-6 case-sensitive version")]
    [InlineData("rua=mailto:a@example.com; v=TLSRPTv1", "RPT-6 version first")]
    [InlineData("v=TLSRPTv1; rua=mailto:a@example.com!10m", "RPT-6 '!' must be encoded")]
    [InlineData("v=TLSRPTv1; rua =mailto:a@example.com", "RPT-6 no space before '='")]
    [InlineData("v=TLSRPTv1; rua=", "RPT-6 empty rua")]
    [InlineData("v=TLSRPTv1; rua=mailto:a@exämple.com", "non-ASCII")]
    public void TryParse_Invalid(string text, string reason) =>
        TlsRptRecord.TryParse(text, out _, out _).Should().BeFalse(reason);

    [Fact]
    public void Select_TwoRecords_NoReporting() =>
        TlsRptRecord.Select(["v=TLSRPTv1; rua=mailto:a@x.example", "v=TLSRPTv1; rua=mailto:b@x.example"], out _, out _)
            .Should().Be(MtaStsRecordSelection.Multiple, "RPT-7");

    [Fact]
    public void Select_OtherRecordsDiscarded() =>
        TlsRptRecord.Select(["v=spf1 -all", "v=TLSRPTv1; rua=mailto:a@x.example"], out var record, out _)
            .Should().Be(MtaStsRecordSelection.Found, "RPT-7 {0}", record);

    [Theory]
    [InlineData("mailto:reports", "no '@': MimeKit threw ParseException on it")]
    [InlineData("mailto:a%20b@x.test", "a space once decoded")]
    [InlineData("mailto:%22@x.test", "a quote once decoded")]
    [InlineData("mailto:a%0D%0ARSET@x.test", "CR LF once decoded: header or SMTP command injection")]
    [InlineData("mailto:a%00b@x.test", "a NUL once decoded")]
    [InlineData("mailto:a@x.test?subject=hi", "header fields in the URI")]
    [InlineData("mailto:a@b@x.test", "two '@'")]
    [InlineData("mailto:a..b@x.test", "empty atom")]
    [InlineData("mailto:a@x_y.test", "the domain is not a host name")]
    [InlineData("mailto:a@[127.0.0.1]", "an address literal")]
    [InlineData("mailto:%ZZ@x.test", "bad percent-encoding")]
    [InlineData("https:///only-a-path", "https without a host")]
    [InlineData("https://user:pw@r.example/x", "https with user info")]
    [InlineData("ftp://r.example/x", "RPT-8 unsupported scheme")]
    public void TryParse_MalformedRua_SkippedAndOthersKept(string bad, string reason)
    {
        TlsRptRecord.TryParse($"v=TLSRPTv1; rua={bad},https://r.example/ok", out var record, out var error).Should().BeTrue($"{reason}: {error}");
        record!.ReportingUris.Select(u => u.OriginalString).Should().Equal(["https://r.example/ok"], reason);
        record.SkippedUris.Should().Equal([bad], reason);
        record.SkipReasons.Should().ContainSingle().Which.Should().NotBeNullOrWhiteSpace();
    }

    [Theory]
    [InlineData("mailto:tlsrpt@example.com", "tlsrpt@example.com")]
    [InlineData("mailto:tls%2Brpt@example.com", "tls+rpt@example.com")] // percent-decoded
    [InlineData("MAILTO:first.last@sub.example.com", "first.last@sub.example.com")]
    public void TryGetMailtoAddress_Valid_ReturnsPlainAddress(string uri, string address)
    {
        TlsRptRecord.TryGetMailtoAddress(new Uri(uri), out var parsed).Should().BeTrue();
        parsed.Should().Be(address);
    }

    [Theory]
    [InlineData("mailto:reports")]
    [InlineData("mailto:a%0D%0ARSET@x.test")]
    [InlineData("https://r.example/x")]
    public void TryGetMailtoAddress_Invalid_ReturnsFalse(string uri) =>
        TlsRptRecord.TryGetMailtoAddress(new Uri(uri), out _).Should().BeFalse();
}
