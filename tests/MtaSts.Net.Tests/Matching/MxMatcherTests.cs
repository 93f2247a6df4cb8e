namespace MtaSts.Tests.Matching;

public class MxMatcherTests
{
    [Theory]
    [InlineData("mail.example.com", "mail.example.com", true, "MX-1 exact")]
    [InlineData("mail.example.com", "mail2.example.com", false, "MX-1 different host")]
    [InlineData("mail.example.com", "MAIL.Example.COM", true, "MX-2 case-insensitive host")]
    [InlineData("*.Example.COM", "mx.example.com", true, "MX-2 case-insensitive pattern")]
    [InlineData("*.example.com", "mail.example.com", true, "MX-3 wildcard, one label")]
    [InlineData("*.example.com", "example.com", false, "MX-3 wildcard needs a label")]
    [InlineData("*.example.com", "a.b.example.com", false, "MX-3 wildcard matches exactly one label")]
    [InlineData("*.example.com", "foo.bar.example.com", false, "MX-3 not any depth")]
    [InlineData("*.example.com", ".example.com", false, "MX-3 empty left-most label")]
    [InlineData("*.example.com", "mailexample.com", false, "MX-3 the dot is part of the suffix")]
    [InlineData("mail.example.com", "mail.example.com.", true, "MX-5 root dot on the host")]
    [InlineData("*.example.com", "mail.example.com.", true, "MX-5 root dot with wildcard")]
    [InlineData("xn--bcher-kva.example", "bücher.example", true, "MX-6 U-label host as A-label")]
    [InlineData("*.example.com", "xn--bcher-kva.example.com", true, "MX-6 wildcard over an A-label")]
    [InlineData("*.example.com", "bücher.example.com", true, "MX-6 wildcard over a U-label")]
    [InlineData("*.co.uk", "example.co.uk", true, "MX-7 no public-suffix logic")]
    [InlineData("*.example.com", "*.example.com", false, "MX-7 a host holding '*' never matches")]
    [InlineData("mail.example.com", "", false, "MX-7 empty host")]
    [InlineData("example.com", "example.com", true, "MX-4 implicit MX matched literally (MXR-4)")]
    [InlineData("*.example.com", ".", false, "MXR-2 null MX never matches")]
    [InlineData("mail.example.com", "mail.example.com.evil.net", false, "MX-1 suffix trick")]
    [InlineData("mail.example.com", "evilmail.example.com", false, "MX-1 prefix trick")]
    [InlineData("*.mail.example.com", "mx1.mail.example.com", true, "MX-3 deeper wildcard pattern")]
    [InlineData("*.mail.example.com", "mail.example.com", false, "MX-3 wildcard base itself")]
    public void Matches_Table(string pattern, string host, bool expected, string reason)
    {
        var policy = Policy(pattern);
        policy.Matches(host).Should().Be(expected, reason);
    }

    [Fact]
    public void Matches_AnyOfSeveralPatterns()
    {
        var policy = Policy("a.example.com", "*.b.example.com", "c.example.net");
        policy.Matches("x.b.example.com").Should().BeTrue("MX-1 one pattern is enough");
        policy.Matches("c.example.net").Should().BeTrue();
        policy.Matches("d.example.net").Should().BeFalse();
    }

    [Fact]
    public void Matches_Null_Throws()
    {
        var act = () => Policy("a.example.com").Matches(null!);
        act.Should().Throw<ArgumentNullException>();
    }

    private static MtaStsPolicy Policy(params string[] mx)
    {
        var text = "version: STSv1\nmode: enforce\n" + string.Concat(mx.Select(m => $"mx: {m}\n")) + "max_age: 86400\n";
        MtaStsPolicy.TryParse(text, out var policy, out var error).Should().BeTrue(error);
        return policy!;
    }
}
