using MtaSts.Publishing;

namespace MtaSts.Tool.Tests.Publishing;

/// <summary>The shared publisher helper: what it accepts, what it renders, and the id it derives.</summary>
public sealed class MtaStsPolicyDocumentTests
{
    [Theory]
    [InlineData(MtaStsMode.Enforce, "", 604800, "POL-13")]                                 // empty mx
    [InlineData(MtaStsMode.Enforce, "mail.example.com\r\nmode: none", 604800, "POL-13")]  // a line injected through mx
    [InlineData(MtaStsMode.Enforce, "mail.example.com #primary", 604800, "POL-13")]
    [InlineData(MtaStsMode.Enforce, "*.*.example.com", 604800, "POL-13")]
    [InlineData(MtaStsMode.Enforce, "[192.0.2.1]", 604800, "POL-13")]
    [InlineData(MtaStsMode.Enforce, "mail.example.com", -1, "POL-11")]
    [InlineData(MtaStsMode.Enforce, "mail.example.com", 31557601, "POL-11")]
    [InlineData((MtaStsMode)7, "mail.example.com", 604800, "POL-3")]
    public void TryCreate_Invalid_FalseWithTheRule(MtaStsMode mode, string mx, long maxAge, string rule)
    {
        MtaStsPolicyDocument.TryCreate(mode, [mx], maxAge, out var document, out var error).Should().BeFalse();
        document.Should().BeNull();
        error.Should().Contain(rule);
    }

    [Fact]
    public void TryCreate_EnforceWithoutMx_False() =>
        MtaStsPolicyDocument.TryCreate(MtaStsMode.Enforce, [], 604800, out _, out _).Should().BeFalse("POL-1: mx is required unless mode is none");

    [Fact]
    public void TryCreate_NoneWithoutMx_Valid()
    {
        MtaStsPolicyDocument.TryCreate(MtaStsMode.None, [], 0, out var document, out _).Should().BeTrue(); // POL-1, POL-12
        document!.Body.Should().Be("version: STSv1\r\nmode: none\r\nmax_age: 0\r\n");
    }

    [Fact]
    public void Id_AlphanumericTwentyCharactersAndFollowsTheContent()
    {
        MtaStsPolicyDocument.TryCreate(MtaStsMode.Enforce, ["mail.example.com"], 604800, out var a, out _).Should().BeTrue();
        MtaStsPolicyDocument.TryCreate(MtaStsMode.Enforce, ["mail.example.com"], 604801, out var b, out _).Should().BeTrue();

        a!.Id.Should().MatchRegex("^[0-9a-f]{20}$"); // TXT-7
        a.Id.Should().NotBe(b!.Id);
        a.Id.Should().Be(MtaStsPolicyDocument.ComputeId(a.Body));
        MtaStsRecord.TryParse(a.TxtRecord, out var record).Should().BeTrue();
        record!.Id.Should().Be(a.Id);
        a.Policy.Matches("MAIL.example.com.").Should().BeTrue();
    }
}
