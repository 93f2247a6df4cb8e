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
}
