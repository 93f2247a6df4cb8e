using MtaSts.Tool.Postfix;

namespace MtaSts.Tool.Tests.Postfix;

public sealed class NextHopTests
{
    [Theory]
    [InlineData("example.com", true)]                // the recipient domain
    [InlineData("mail.example.co.uk", true)]         // a subdomain
    [InlineData("example.com.", true)]               // absolute name
    [InlineData("bücher.example", true)]             // U-label: the library converts it (TXT-1)
    [InlineData("[192.0.2.1]", false)]               // a bracketed address
    [InlineData("[mx.example.com]", false)]          // a bracketed host: no MX lookup, no policy domain
    [InlineData("[mx.example.com]:2525", false)]     // bracketed host and port
    [InlineData("example.com:2525", false)]          // a non-default port
    [InlineData(".example.com", false)]              // the parent-domain form Postfix tries after a miss
    [InlineData("localhost", false)]                 // a single label
    [InlineData("", false)]                          // empty
    [InlineData("exa mple.com", false)]              // a space
    [InlineData("a..b", false)]                      // an empty label
    [InlineData("inet:example.com", false)]          // a colon
    public void IsPolicyDomain_Key_Classifies(string key, bool expected) => NextHop.IsPolicyDomain(key).Should().Be(expected);

    [Fact]
    public void IsPolicyDomain_LabelOver63_IsRejected() => NextHop.IsPolicyDomain(new string('a', 64) + ".com").Should().BeFalse();
}
