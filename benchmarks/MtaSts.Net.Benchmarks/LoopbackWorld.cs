using System.Net;
using System.Net.Http;
using System.Net.Security;
using MtaSts.Testing;

namespace MtaSts.Benchmarks;

/// <summary>A DNS server and an HTTPS policy host on loopback, publishing one enforce policy for example.com.</summary>
internal sealed class LoopbackWorld : IAsyncDisposable
{
    private LoopbackWorld(TestCertificateAuthority ca, LoopbackDnsServer dns, LoopbackPolicyHost https)
    {
        Ca = ca;
        Dns = dns;
        Https = https;
    }

    public TestCertificateAuthority Ca { get; }

    public LoopbackDnsServer Dns { get; }

    public LoopbackPolicyHost Https { get; }

    public static async Task<LoopbackWorld> StartAsync()
    {
        var ca = new TestCertificateAuthority();
        var world = new LoopbackWorld(ca, LoopbackDnsServer.Start(), await LoopbackPolicyHost.StartAsync(ca));
        world.Dns.SetTxt("_mta-sts.example.com", 3600, ["v=STSv1; id=20240101"]);
        world.Https.ServePolicy("mta-sts.example.com", Samples.TypicalPolicy);
        return world;
    }

    public MtaStsEnforcer Enforcer()
    {
        var options = new MtaStsOptions
        {
            PolicyHostTrustedRoots = Ca.TrustStore,
            PolicyHostConnectCallback = Https.ConnectCallback,
            TxtRecheckMaximum = TimeSpan.FromDays(1),
            TxtRecheckMinimum = TimeSpan.FromHours(1),
        };
        options.NameServers.Add(Dns.EndPoint);
        return MtaStsEnforcer.Create(options);
    }

    /// <summary>A bare HttpClient reaching the same policy host, trusting the same CA.</summary>
    public HttpClient BareHttpClient()
    {
        var roots = Ca.TrustStore;
        var handler = new SocketsHttpHandler
        {
            ConnectCallback = Https.ConnectCallback,
            SslOptions = new SslClientAuthenticationOptions
            {
                CertificateChainPolicy = new System.Security.Cryptography.X509Certificates.X509ChainPolicy
                {
                    TrustMode = System.Security.Cryptography.X509Certificates.X509ChainTrustMode.CustomRootTrust,
                    CustomTrustStore = { roots[0] },
                    RevocationMode = System.Security.Cryptography.X509Certificates.X509RevocationMode.NoCheck,
                },
            },
        };
        return new HttpClient(handler);
    }

    public IPEndPoint DnsEndPoint => Dns.EndPoint;

    public async ValueTask DisposeAsync()
    {
        await Https.DisposeAsync();
        Dns.Dispose();
        Ca.Dispose();
    }
}
