using MtaSts.Internal;

namespace MtaSts.Tests.Internal;

public class DomainNameTests
{
    [Theory]
    [InlineData("Example.COM.", "example.com", "TXT-1 lower case, no root dot")]
    [InlineData("example.com", "example.com", "TXT-1 already normal")]
    [InlineData("bücher.example", "xn--bcher-kva.example", "DISC-5 U-labels become A-labels")]
    [InlineData("BÜCHER.example", "xn--bcher-kva.example", "DISC-5 case-folded U-labels")]
    [InlineData("mail.example.com", "mail.example.com", "DISC-3 a subdomain stays itself")]
    [InlineData("  example.com  ", "example.com", "surrounding whitespace trimmed")]
    public void TryNormalize_Valid(string input, string expected, string reason)
    {
        DomainName.TryNormalize(input, out var normalized, out var error).Should().BeTrue(reason);
        normalized.Should().Be(expected, reason);
        error.Should().BeNull();
    }

    [Theory]
    [InlineData("[192.0.2.1]", "DISC-4 address literal")]
    [InlineData("192.0.2.1", "DISC-4 bare IPv4")]
    [InlineData("2001:db8::1", "DISC-4 bare IPv6")]
    [InlineData("", "empty")]
    [InlineData("exa mple.com", "space in a name")]
    [InlineData("-example.com", "leading hyphen")]
    [InlineData("example..com", "empty label")]
    [InlineData("_mta-sts.example.com", "underscore")]
    public void TryNormalize_Invalid(string input, string reason)
    {
        DomainName.TryNormalize(input, out _, out var error).Should().BeFalse(reason);
        error.Should().NotBeNullOrEmpty();
    }
}
