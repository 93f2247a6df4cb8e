using System.Diagnostics;
using MtaSts.Certificates;
using MtaSts.Testing;

namespace MtaSts.Tests.Certificates;

/// <summary>
/// The MX chain build never goes to the network by default (CERT-11 revocation is a MAY): the AIA, OCSP and CRL URLs
/// of the test certificates point at a loopback listener that counts requests.
/// </summary>
public sealed class CertificateValidatorNetworkTests : IAsyncLifetime
{
    private const string Host = "mail.example.com";
    // A root name of its own per test: on Linux the platform caches downloaded CRLs on disk by issuer name, and a CRL
    // left by another run's root of the same name (another key) makes revocation status unknown.
    private readonly TestCertificateAuthority _ca = new($"MtaSts.Net Revocation Test Root {Guid.NewGuid():N}");
    private readonly LoopbackUrlListener _urls = new();

    [Fact]
    public void Validate_IntermediateOnlyAtAiaUrl_NotDownloadedAndNotTrusted()
    {
        using var intermediate = _ca.IssueIntermediate("Test Intermediate");
        _urls.Serve("issuer.cer", "application/pkix-cert", intermediate.RawData);
        using var leaf = _ca.Issue(Host, [Host], new TestCertificateOptions { Issuer = intermediate, CaIssuersUrl = _urls.Url("issuer.cer") });

        var failure = CertificateValidator.Validate(Host, leaf, null, _ca.TrustStore, DateTimeOffset.UtcNow);

        failure!.Kind.Should().Be(MtaStsFailureKind.CertificateNotTrusted, "the intermediate was not presented");
        _urls.Requests.Should().Be(0, "the AIA caIssuers URL is never fetched");
    }

    [Fact]
    public void Validate_IntermediatePresented_Passes()
    {
        // The baseline for the test above: the same chain passes when the peer sends the intermediate.
        using var intermediate = _ca.IssueIntermediate("Test Intermediate");
        using var leaf = _ca.Issue(Host, [Host], new TestCertificateOptions { Issuer = intermediate, CaIssuersUrl = _urls.Url("issuer.cer") });
        using var presented = new System.Security.Cryptography.X509Certificates.X509Chain();
        presented.ChainPolicy.ExtraStore.Add(intermediate);

        CertificateValidator.Validate(Host, leaf, presented, _ca.TrustStore, DateTimeOffset.UtcNow).Should().BeNull();
        _urls.Requests.Should().Be(0);
    }

    [Fact]
    public void Validate_CrlAndOcspUrls_NoRequestByDefault()
    {
        using var leaf = _ca.Issue(Host, [Host], new TestCertificateOptions { CrlUrl = _urls.Url("root.crl"), OcspUrl = _urls.Url("ocsp") });

        CertificateValidator.Validate(Host, leaf, null, _ca.TrustStore, DateTimeOffset.UtcNow).Should().BeNull();
        _urls.Requests.Should().Be(0, "CERT-11 revocation is not checked unless asked for");
    }

    [Fact]
    public void Validate_RevocationOnAndLeafRevoked_IsNotTrusted()
    {
        using var leaf = _ca.Issue(Host, [Host], new TestCertificateOptions { CrlUrl = _urls.Url("root.crl") });
        _urls.Serve("root.crl", "application/pkix-crl", _ca.CreateCrl(leaf));

        var failure = CertificateValidator.Validate(Host, leaf, null, _ca.TrustStore, DateTimeOffset.UtcNow, checkRevocation: true);

        failure!.Kind.Should().Be(MtaStsFailureKind.CertificateNotTrusted);
        failure.ReasonCode.Should().Contain("Revoked");
        _urls.Requests.Should().BeGreaterThan(0, "the listener is reachable: the zero counts above mean something");
    }

    [Fact]
    public void Validate_RevocationOnAndLeafNotRevoked_Passes()
    {
        using var leaf = _ca.Issue(Host, [Host], new TestCertificateOptions { CrlUrl = _urls.Url("root.crl") });
        _urls.Serve("root.crl", "application/pkix-crl", _ca.CreateCrl());

        CertificateValidator.Validate(Host, leaf, null, _ca.TrustStore, DateTimeOffset.UtcNow, checkRevocation: true).Should().BeNull();
        _urls.Requests.Should().BeGreaterThan(0);
    }

    [Fact]
    public void Validate_RevocationOnAndCrlUnreachable_IsNotTrusted()
    {
        using var leaf = _ca.Issue(Host, [Host], new TestCertificateOptions { CrlUrl = _urls.Url("missing.crl") });

        var failure = CertificateValidator.Validate(Host, leaf, null, _ca.TrustStore, DateTimeOffset.UtcNow, checkRevocation: true);

        failure!.Kind.Should().Be(MtaStsFailureKind.CertificateNotTrusted, "an unknown status fails when revocation checking was asked for");
        _urls.Requests.Should().BeGreaterThan(0);
    }

    [Fact]
    public async Task Validate_RevocationOnAndCrlUrlStalls_BoundedByTheUrlTimeout()
    {
        await using var silent = new RawTlsServer(null, (_, ct) => Task.Delay(Timeout.Infinite, ct));
        using var leaf = _ca.Issue(Host, [Host], new TestCertificateOptions { CrlUrl = $"http://127.0.0.1:{silent.Port}/root.crl" });
        var watch = Stopwatch.StartNew();

        var failure = CertificateValidator.Validate(Host, leaf, null, _ca.TrustStore, DateTimeOffset.UtcNow, checkRevocation: true);

        watch.Stop();
        failure!.Kind.Should().Be(MtaStsFailureKind.CertificateNotTrusted, "the status could not be learnt");
        silent.Connections.Should().BeGreaterThan(0);
        watch.Elapsed.Should().BeLessThan(CertificateValidator.RevocationUrlTimeout * 3, "a CRL server that never answers cannot hold the handshake");
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        await _urls.DisposeAsync();
        _ca.Dispose();
    }
}
