using System.Diagnostics;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using MtaSts.IntegrationTests.Infrastructure;
using MtaSts.Testing;

namespace MtaSts.IntegrationTests.Fetching;

/// <summary>
/// The policy host's certificate over real TLS on loopback (FETCH-2, FETCH-4): serverAuth EKU, and no network fetch
/// of the URLs the certificate carries (AIA caIssuers, OCSP, CRL) unless revocation checking is switched on. Those
/// URLs point at a loopback listener that counts requests.
/// </summary>
public sealed class PolicyHostCertificateTests : WorldTest
{
    private const string Host = "mta-sts.example.com";
    private LoopbackUrlListener _urls = null!;

    protected override void OnStarted()
    {
        World.Dns.SetTxt("_mta-sts.example.com", "v=STSv1; id=1");
        _urls = new LoopbackUrlListener();
    }

    public override async Task DisposeAsync()
    {
        await _urls.DisposeAsync();
        await base.DisposeAsync();
    }

    [Fact]
    public async Task Fetch_ClientAuthOnlyCertificate_IsWebPkiInvalid()
    {
        // Kestrel refuses to serve such a certificate; a raw TLS server does not.
        using var leaf = World.Ca.IssueServerCertificate(Host, serverAuth: false, clientAuth: true);
        var requests = 0;
        await using var server = PolicyServer(leaf, onRequest: () => Interlocked.Increment(ref requests));

        var state = await World.RealTimeEnforcer(o => o.PolicyHostConnectCallback = server.ConnectCallback).GetPolicyAsync("example.com");

        state.Policy.Should().BeNull("FETCH-2 a certificate not meant for TLS servers does not authenticate a policy host");
        state.DiscoveryFailure!.ResultType.Should().Be("sts-webpki-invalid", state.ToString());
        state.DiscoveryFailure.Detail.Should().Contain("extended key usage");
        server.Connections.Should().Be(1);
        requests.Should().Be(0, "no request is sent over an unauthenticated connection");
    }

    [Fact]
    public async Task Fetch_CertificateWithoutEku_Accepted()
    {
        World.Https.ServePolicy(Host, TestWorld.EnforcePolicy, certificate: World.Ca.IssueServerCertificate(Host, extendedKeyUsage: false));

        var state = await World.Enforcer().GetPolicyAsync("example.com");

        state.Policy.Should().NotBeNull($"no EKU extension means any purpose: {state}");
    }

    [Fact]
    public async Task Fetch_IntermediateOnlyAtAiaUrl_NotDownloadedAndWebPkiInvalid()
    {
        using var intermediate = World.Ca.IssueIntermediate("Policy Host Intermediate");
        _urls.Serve("issuer.cer", "application/pkix-cert", intermediate.RawData);
        using var leaf = World.Ca.Issue(Host, [Host], new TestCertificateOptions { Issuer = intermediate, CaIssuersUrl = _urls.Url("issuer.cer") });
        await using var server = PolicyServer(leaf);
        var watch = Stopwatch.StartNew();

        var state = await World.RealTimeEnforcer(o =>
        {
            o.FetchTimeout = TimeSpan.FromSeconds(30);
            o.PolicyHostConnectCallback = server.ConnectCallback;
        }).GetPolicyAsync("example.com");

        watch.Stop();
        _urls.Requests.Should().Be(0, "the handshake never downloads a missing intermediate from the peer's AIA URL");
        state.Policy.Should().BeNull();
        state.DiscoveryFailure!.ResultType.Should().Be("sts-webpki-invalid", state.ToString());
        watch.Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(15), "an incomplete chain fails at once, not at the 30 s fetch timeout");
    }

    [Fact]
    public async Task Fetch_IntermediateSentByTheServer_Accepted()
    {
        using var intermediate = World.Ca.IssueIntermediate("Policy Host Intermediate");
        using var leaf = World.Ca.Issue(Host, [Host], new TestCertificateOptions { Issuer = intermediate, CaIssuersUrl = _urls.Url("issuer.cer") });
        await using var server = PolicyServer(leaf, [X509CertificateLoader.LoadCertificate(intermediate.RawData)]);

        var state = await World.RealTimeEnforcer(o => o.PolicyHostConnectCallback = server.ConnectCallback).GetPolicyAsync("example.com");

        state.Policy.Should().NotBeNull($"the chain the server sends is used: {state}");
        _urls.Requests.Should().Be(0);
    }

    [Fact]
    public async Task Fetch_CertificateWithCrlAndOcspUrls_NoRevocationRequest()
    {
        using var leaf = World.Ca.Issue(Host, [Host], new TestCertificateOptions { CrlUrl = _urls.Url("root.crl"), OcspUrl = _urls.Url("ocsp") });
        await using var server = PolicyServer(leaf);

        var state = await World.RealTimeEnforcer(o => o.PolicyHostConnectCallback = server.ConnectCallback).GetPolicyAsync("example.com");

        state.Policy.Should().NotBeNull(state.ToString());
        _urls.Requests.Should().Be(0, "FETCH-4 revocation is not checked unless CheckCertificateRevocation is on");
    }

    [Fact]
    public async Task Fetch_CheckCertificateRevocationAndRevokedCertificate_IsWebPkiInvalid()
    {
        using var leaf = World.Ca.Issue(Host, [Host], new TestCertificateOptions { CrlUrl = _urls.Url("root.crl") });
        _urls.Serve("root.crl", "application/pkix-crl", World.Ca.CreateCrl(leaf));
        await using var server = PolicyServer(leaf);

        var state = await World.RealTimeEnforcer(o =>
        {
            o.CheckCertificateRevocation = true;
            o.PolicyHostConnectCallback = server.ConnectCallback;
        }).GetPolicyAsync("example.com");

        _urls.Requests.Should().BeGreaterThan(0, "the option turns the CRL check on (and the zero counts above mean something)");
        state.DiscoveryFailure!.ResultType.Should().Be("sts-webpki-invalid", state.ToString());
        state.DiscoveryFailure.Detail.Should().Contain("Revoked");
    }

    [Fact]
    public async Task Fetch_CheckCertificateRevocationAndGoodCertificate_Fetched()
    {
        using var leaf = World.Ca.Issue(Host, [Host], new TestCertificateOptions { CrlUrl = _urls.Url("root.crl") });
        _urls.Serve("root.crl", "application/pkix-crl", World.Ca.CreateCrl());
        await using var server = PolicyServer(leaf);

        var state = await World.RealTimeEnforcer(o =>
        {
            o.CheckCertificateRevocation = true;
            o.PolicyHostConnectCallback = server.ConnectCallback;
        }).GetPolicyAsync("example.com");

        state.Policy.Should().NotBeNull(state.ToString());
        _urls.Requests.Should().BeGreaterThan(0);
    }

    /// <summary>A TLS policy host that sends exactly <paramref name="leaf"/> and <paramref name="intermediates"/>, and answers with the policy.</summary>
    private static RawTlsServer PolicyServer(X509Certificate2 leaf, X509Certificate2Collection? intermediates = null, Action? onRequest = null) =>
        new(leaf, async (stream, ct) =>
        {
            var first = new byte[1];
            if (await stream.ReadAsync(first, ct) == 0)
            {
                return;
            }

            onRequest?.Invoke();
            await RawTlsServer.ReadRequestHeadAsync(stream, ct);
            var body = Encoding.ASCII.GetBytes(TestWorld.EnforcePolicy);
            await stream.WriteAsync(Encoding.ASCII.GetBytes($"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: {body.Length}\r\n\r\n"), ct);
            await stream.WriteAsync(body, ct);
        }, intermediates: intermediates);
}
