using MtaSts.Testing;
using Microsoft.Extensions.Time.Testing;

namespace MtaSts.IntegrationTests.Infrastructure;

/// <summary>One DNS server, one HTTPS policy host and a test CA, all on loopback; builds enforcers pointed at them.</summary>
public sealed class TestWorld : IAsyncDisposable
{
    public const string EnforcePolicy = "version: STSv1\nmode: enforce\nmx: mail.example.com\nmx: *.mx.example.com\nmax_age: 86400\n";

    private readonly List<MtaStsEnforcer> _enforcers = [];

    private TestWorld(TestCertificateAuthority ca, LoopbackDnsServer dns, LoopbackPolicyHost https)
    {
        Ca = ca;
        Dns = dns;
        Https = https;
    }

    public TestCertificateAuthority Ca { get; }

    public LoopbackDnsServer Dns { get; }

    public LoopbackPolicyHost Https { get; }

    public FakeTimeProvider Time { get; } = new(DateTimeOffset.UtcNow);

    public static async Task<TestWorld> StartAsync()
    {
        var ca = new TestCertificateAuthority();
        return new TestWorld(ca, LoopbackDnsServer.Start(), await LoopbackPolicyHost.StartAsync(ca).ConfigureAwait(false));
    }

    /// <summary>Publishes a TXT record and a policy for <paramref name="domain"/>.</summary>
    public void Publish(string domain, string id, string policy = EnforcePolicy, int ttl = 300)
    {
        Dns.SetTxt($"_mta-sts.{domain}", ttl, [$"v=STSv1; id={id}"]);
        Https.ServePolicy($"mta-sts.{domain}", policy);
    }

    public MtaStsOptions Options(Action<MtaStsOptions>? configure = null)
    {
        var options = new MtaStsOptions
        {
            DnsTimeout = TimeSpan.FromSeconds(2),
            DnsRetries = 0,
            FetchTimeout = TimeSpan.FromSeconds(10),
            PolicyHostTrustedRoots = Ca.TrustStore,
            MxTrustedRoots = Ca.TrustStore,
            PolicyHostConnectCallback = Https.ConnectCallback,
        };
        options.NameServers.Add(Dns.EndPoint);
        configure?.Invoke(options);
        return options;
    }

    /// <summary>An enforcer on the fake clock.</summary>
    public MtaStsEnforcer Enforcer(Action<MtaStsOptions>? configure = null) => Track(MtaStsEnforcer.Create(Options(configure), Time));

    /// <summary>An enforcer on the real clock (for real timeouts).</summary>
    public MtaStsEnforcer RealTimeEnforcer(Action<MtaStsOptions>? configure = null) => Track(MtaStsEnforcer.Create(Options(configure)));

    public async ValueTask DisposeAsync()
    {
        _enforcers.ForEach(e => e.Dispose());
        await Https.DisposeAsync().ConfigureAwait(false);
        Dns.Dispose();
        Ca.Dispose();
    }

    private MtaStsEnforcer Track(MtaStsEnforcer enforcer)
    {
        _enforcers.Add(enforcer);
        return enforcer;
    }
}
