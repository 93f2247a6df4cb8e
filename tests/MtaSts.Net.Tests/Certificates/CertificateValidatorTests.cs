using System.Security.Cryptography.X509Certificates;
using MtaSts.Certificates;
using MtaSts.Testing;

namespace MtaSts.Tests.Certificates;

public sealed class CertificateValidatorTests : IDisposable
{
    private readonly TestCertificateAuthority _ca = new();
    private readonly TestCertificateAuthority _otherCa = new("Some Other Root");

    [Fact]
    public void Validate_TrustedCertificateForHost_Passes()
    {
        using var cert = _ca.IssueFor("mail.example.com");
        CertificateValidator.Validate("mail.example.com", cert, null, _ca.TrustStore, DateTimeOffset.UtcNow).Should().BeNull();
    }

    [Fact]
    public void Validate_WildcardCertificate_PassesForOneLabel()
    {
        using var cert = _ca.Issue("wild", ["*.example.com"]);
        CertificateValidator.Validate("mx1.example.com", cert, null, _ca.TrustStore, DateTimeOffset.UtcNow).Should().BeNull("CERT-5");
        CertificateValidator.Validate("a.mx1.example.com", cert, null, _ca.TrustStore, DateTimeOffset.UtcNow)!.Kind
            .Should().Be(MtaStsFailureKind.CertificateHostMismatch, "CERT-5 one label only");
    }

    [Fact]
    public void Validate_CommonNameOnly_IsHostMismatch()
    {
        // CERT-3: the Linux platform check accepts this certificate; MTA-STS must not.
        using var cert = _ca.IssueCommonNameOnly("mail.example.com");
        var failure = CertificateValidator.Validate("mail.example.com", cert, null, _ca.TrustStore, DateTimeOffset.UtcNow);
        failure!.Kind.Should().Be(MtaStsFailureKind.CertificateHostMismatch);
        failure.ResultType.Should().Be("certificate-host-mismatch");
    }

    [Fact]
    public void Validate_WrongHost_IsHostMismatch()
    {
        // CERT-4: the reference identity is the MX host, not a pattern of the policy.
        using var cert = _ca.IssueFor("mail.example.com");
        CertificateValidator.Validate("evil.example.net", cert, null, _ca.TrustStore, DateTimeOffset.UtcNow)!.Kind
            .Should().Be(MtaStsFailureKind.CertificateHostMismatch);
    }

    [Fact]
    public void Validate_Expired_IsCertificateExpired()
    {
        using var cert = _ca.IssueExpired("mail.example.com");
        var failure = CertificateValidator.Validate("mail.example.com", cert, null, _ca.TrustStore, DateTimeOffset.UtcNow);
        failure!.Kind.Should().Be(MtaStsFailureKind.CertificateExpired, "CERT-2");
        failure.ResultType.Should().Be("certificate-expired");
    }

    [Fact]
    public void Validate_ExpiredByTheInjectedClock_IsCertificateExpired()
    {
        // The time is a parameter: a certificate valid today is expired a year from now.
        using var cert = _ca.IssueFor("mail.example.com");
        CertificateValidator.Validate("mail.example.com", cert, null, _ca.TrustStore, DateTimeOffset.UtcNow.AddYears(1))!.Kind
            .Should().Be(MtaStsFailureKind.CertificateExpired);
    }

    [Fact]
    public void Validate_NotYetValid_IsValidationFailure()
    {
        using var cert = _ca.Issue("mail.example.com", ["mail.example.com"], DateTimeOffset.UtcNow.AddDays(1), DateTimeOffset.UtcNow.AddDays(30));
        var failure = CertificateValidator.Validate("mail.example.com", cert, null, _ca.TrustStore, DateTimeOffset.UtcNow);
        failure!.Kind.Should().Be(MtaStsFailureKind.ValidationFailure);
        failure.ReasonCode.Should().Be("certificate-not-yet-valid");
    }

    [Fact]
    public void Validate_UnknownCa_IsNotTrusted()
    {
        using var cert = _otherCa.IssueFor("mail.example.com");
        var failure = CertificateValidator.Validate("mail.example.com", cert, null, _ca.TrustStore, DateTimeOffset.UtcNow);
        failure!.Kind.Should().Be(MtaStsFailureKind.CertificateNotTrusted, "CERT-2");
        failure.ReasonCode.Should().NotBeNullOrEmpty("the chain status is kept as the failure-reason-code");
    }

    [Fact]
    public void Validate_TestCaAgainstMachineStore_IsNotTrusted()
    {
        // Without a custom trust store the machine store decides, and it does not know the test CA.
        using var cert = _ca.IssueFor("mail.example.com");
        CertificateValidator.Validate("mail.example.com", cert, null, null, DateTimeOffset.UtcNow)!.Kind
            .Should().Be(MtaStsFailureKind.CertificateNotTrusted);
    }

    [Fact]
    public void Validate_NoCertificate_IsNotTrusted() =>
        CertificateValidator.Validate("mail.example.com", null, null, _ca.TrustStore, DateTimeOffset.UtcNow)!.Kind
            .Should().Be(MtaStsFailureKind.CertificateNotTrusted);

    [Fact]
    public void Validate_SeveralSans_AnyOneMatches()
    {
        using var cert = _ca.Issue("multi", ["a.example.org", "mail.example.com"]);
        CertificateValidator.Validate("mail.example.com", cert, null, _ca.TrustStore, DateTimeOffset.UtcNow).Should().BeNull("CERT-13");
    }

    [Fact]
    public void Validate_ClientAuthOnlyEku_IsNotTrusted()
    {
        // OpenSSL and Go refuse a server certificate whose EKU lacks serverAuth; so do we (CERT-2, FETCH-2).
        using var cert = _ca.IssueServerCertificate("mail.example.com", serverAuth: false, clientAuth: true);
        var failure = CertificateValidator.Validate("mail.example.com", cert, null, _ca.TrustStore, DateTimeOffset.UtcNow);
        failure!.Kind.Should().Be(MtaStsFailureKind.CertificateNotTrusted);
        failure.ResultType.Should().Be("certificate-not-trusted");
        failure.ReasonCode.Should().Contain("NotValidForUsage");
    }

    [Fact]
    public void Validate_ServerAndClientAuthEku_Passes()
    {
        using var cert = _ca.IssueServerCertificate("mail.example.com", serverAuth: true, clientAuth: true);
        CertificateValidator.Validate("mail.example.com", cert, null, _ca.TrustStore, DateTimeOffset.UtcNow).Should().BeNull();
    }

    [Fact]
    public void Validate_NoEkuExtension_Passes()
    {
        // No EKU extension: good for every purpose, as OpenSSL and Go read it.
        using var cert = _ca.IssueServerCertificate("mail.example.com", extendedKeyUsage: false);
        cert.Extensions.OfType<X509EnhancedKeyUsageExtension>().Should().BeEmpty();
        CertificateValidator.Validate("mail.example.com", cert, null, _ca.TrustStore, DateTimeOffset.UtcNow).Should().BeNull();
    }

    public void Dispose()
    {
        _ca.Dispose();
        _otherCa.Dispose();
    }
}
