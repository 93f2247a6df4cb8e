using MtaSts.Testing;
using MtaSts.Tool.Network;

namespace MtaSts.Tool.Tests.Network;

/// <summary>The certificate review behind the audit's certificate findings: SAN dNSName matching as senders do it.</summary>
public sealed class CertificateReviewTests : IDisposable
{
    private readonly TestCertificateAuthority _ca = new("Review Test Root");

    [Theory]
    [InlineData("*.example.com", "mail.example.com", true)]      // CERT-5
    [InlineData("*.example.com", "example.com", false)]          // CERT-5: one label, not zero
    [InlineData("*.example.com", "a.b.example.com", false)]      // CERT-5: one label, not two
    [InlineData("*.com", "example.com", false)]                  // CERT-5: never over a single-label suffix
    [InlineData("m*.example.com", "mail.example.com", false)]    // CERT-6: partial wildcards rejected
    [InlineData("MAIL.Example.COM", "mail.example.com", true)]   // CERT-8
    [InlineData("mail.example.com", "mail.example.com.", true)]  // CERT-10: the reference's root dot is ignored
    [InlineData("mail.example.net", "mail.example.com", false)]  // CERT-4
    public void Review_SanDnsName_MatchesAsSendersDo(string san, string host, bool matches)
    {
        using var certificate = _ca.Issue("cn.example.com", [san]);
        CertificateReview.Review(certificate, [], host, _ca.TrustStore, DateTimeOffset.UtcNow).NameMatches.Should().Be(matches);
    }

    [Fact]
    public void Review_CommonNameOnly_NoMatch()
    {
        using var certificate = _ca.IssueCommonNameOnly("mail.example.com"); // CERT-3
        var facts = CertificateReview.Review(certificate, [], "mail.example.com", _ca.TrustStore, DateTimeOffset.UtcNow);
        facts.NameMatches.Should().BeFalse();
        facts.TrustProblem.Should().BeNull();
    }

    [Fact]
    public void Review_ExpiredButFromTrustedRoot_ExpiredNotUntrusted()
    {
        using var certificate = _ca.IssueExpired("mail.example.com");
        var facts = CertificateReview.Review(certificate, [], "mail.example.com", _ca.TrustStore, DateTimeOffset.UtcNow);
        facts.Expired.Should().BeTrue();
        facts.TrustProblem.Should().BeNull("the period is its own finding (mx-certificate-expired)");
        facts.DaysLeft.Should().BeNegative();
    }

    public void Dispose() => _ca.Dispose();
}
