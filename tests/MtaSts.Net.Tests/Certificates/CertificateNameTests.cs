using MtaSts.Certificates;

namespace MtaSts.Tests.Certificates;

public class CertificateNameTests
{
    [Theory]
    [InlineData("mail.example.com", "mail.example.com", true, "CERT-3 exact DNS-ID")]
    [InlineData("*.example.com", "mail.example.com", true, "CERT-5 wildcard, one label")]
    [InlineData("*.example.com", "example.com", false, "CERT-5 wildcard needs a label")]
    [InlineData("*.example.com", "a.b.example.com", false, "CERT-5 wildcard matches one label only")]
    [InlineData("www.*.example.com", "www.a.example.com", false, "CERT-5 wildcard not left-most")]
    [InlineData("*.*.example.com", "a.b.example.com", false, "CERT-5 two wildcards")]
    [InlineData("f*o.example.com", "foo.example.com", false, "CERT-6 partial wildcard")]
    [InlineData("*oo.example.com", "foo.example.com", false, "CERT-6 partial wildcard prefix")]
    [InlineData("b*z.example.net", "buzz.example.net", false, "CERT-6 partial wildcard middle")]
    [InlineData("baz*.example.net", "baz1.example.net", false, "CERT-6 partial wildcard suffix")]
    [InlineData("xn--*.example", "xn--bcher-kva.example", false, "CERT-7 wildcard in an A-label")]
    [InlineData("MAIL.EXAMPLE.COM", "mail.example.com", true, "CERT-8 case-insensitive")]
    [InlineData("xn--bcher-kva.example", "bücher.example", true, "CERT-9 U-label reference converted")]
    [InlineData("mail.example.com", "MAIL.EXAMPLE.COM.", true, "CERT-10 reference root dot")]
    [InlineData("mail.example.com.", "mail.example.com", false, "CERT-10 presented name with a root dot is malformed")]
    [InlineData("*.com", "example.com", false, "CERT-5 wildcard over a single-label suffix")]
    [InlineData("*", "example", false, "CERT-5 lone wildcard")]
    [InlineData("mail.example.com", "mail.example.org", false, "CERT-3 different name")]
    [InlineData("mail.example.com", "*.example.com", false, "CERT-5 a reference holding '*' never matches")]
    [InlineData("", "mail.example.com", false, "CERT-3 empty presented name")]
    [InlineData("mta-sts.example.com", "mta-sts.example.com", true, "FETCH-3 policy host exact")]
    [InlineData("*.example.com", "mta-sts.example.com", true, "FETCH-3 policy host wildcard")]
    [InlineData("mta-sts.provider.example", "mta-sts.user.example", false, "FETCH-14 delegation needs the customer's name")]
    public void MatchesName_Table(string presented, string reference, bool expected, string reason)
    {
        var normalized = MtaSts.Internal.DomainName.ForMatching(reference);
        CertificateValidator.MatchesName(presented, normalized).Should().Be(expected, reason);
    }
}
