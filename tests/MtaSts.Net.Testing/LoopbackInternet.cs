using System.Net.Http;

namespace MtaSts.Testing;

/// <summary>
/// The shared core of every loopback world (tests, demo, benchmarks): a certificate authority generated at start, a
/// DNS server and an HTTPS policy host, all on 127.0.0.1, and options that point an enforcer at them.
/// </summary>
public class LoopbackInternet : IAsyncDisposable
{
    protected LoopbackInternet(TestCertificateAuthority ca, LoopbackDnsServer dns, LoopbackPolicyHost https)
    {
        Ca = ca;
        Dns = dns;
        Https = https;
    }

    public TestCertificateAuthority Ca { get; }

    public LoopbackDnsServer Dns { get; }

    public LoopbackPolicyHost Https { get; }

    /// <summary>Starts the CA, the DNS server and the policy host; <paramref name="create"/> builds the derived world.</summary>
    protected static async Task<T> StartAsync<T>(string caName, Func<TestCertificateAuthority, LoopbackDnsServer, LoopbackPolicyHost, T> create)
    {
        var ca = new TestCertificateAuthority(caName);
        return create(ca, LoopbackDnsServer.Start(), await LoopbackPolicyHost.StartAsync(ca).ConfigureAwait(false));
    }

    /// <summary>Publishes <c>_mta-sts.&lt;domain&gt;</c> with <paramref name="id"/> and serves <paramref name="policy"/>.</summary>
    public void Publish(string domain, string id, string policy, int ttl = 300)
    {
        Dns.SetTxt($"_mta-sts.{domain}", ttl, [$"v=STSv1; id={id}"]);
        Https.ServePolicy($"mta-sts.{domain}", policy);
    }

    /// <summary>Options that point an enforcer at this world: its DNS server, its CA, its policy host.</summary>
    public MtaStsOptions EnforcerOptions(Action<MtaStsOptions>? configure = null)
    {
        var options = new MtaStsOptions
        {
            PolicyHostTrustedRoots = Ca.TrustStore,
            MxTrustedRoots = Ca.TrustStore,
            PolicyHostConnectCallback = Https.ConnectCallback,
        };
        options.NameServers.Add(Dns.EndPoint);
        configure?.Invoke(options);
        return options;
    }

    /// <summary>An HttpClient that reaches this world's HTTPS host and trusts its CA (report endpoints, baselines).</summary>
    public HttpClient HttpClient() => new(new SocketsHttpHandler
    {
        ConnectCallback = Https.ConnectCallback,
        SslOptions = new System.Net.Security.SslClientAuthenticationOptions
        {
            CertificateChainPolicy = new System.Security.Cryptography.X509Certificates.X509ChainPolicy
            {
                TrustMode = System.Security.Cryptography.X509Certificates.X509ChainTrustMode.CustomRootTrust,
                CustomTrustStore = { Ca.TrustStore[0] },
                RevocationMode = System.Security.Cryptography.X509Certificates.X509RevocationMode.NoCheck,
            },
        },
    });

    public virtual async ValueTask DisposeAsync()
    {
        await Https.DisposeAsync().ConfigureAwait(false);
        Dns.Dispose();
        Ca.Dispose();
        GC.SuppressFinalize(this);
    }
}
