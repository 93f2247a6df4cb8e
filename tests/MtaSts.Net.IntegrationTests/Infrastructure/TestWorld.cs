using MtaSts.Testing;
using Microsoft.Extensions.Time.Testing;

namespace MtaSts.IntegrationTests.Infrastructure;

/// <summary>One DNS server, one HTTPS policy host and a test CA, all on loopback; builds enforcers pointed at them.</summary>
public sealed class TestWorld : LoopbackInternet
{
    public const string EnforcePolicy = "version: STSv1\nmode: enforce\nmx: mail.example.com\nmx: *.mx.example.com\nmax_age: 86400\n";

    private readonly List<MtaStsEnforcer> _enforcers = [];

    private TestWorld(TestCertificateAuthority ca, LoopbackDnsServer dns, LoopbackPolicyHost https)
        : base(ca, dns, https)
    {
    }

    public FakeTimeProvider Time { get; } = new(DateTimeOffset.UtcNow);

    public static Task<TestWorld> StartAsync() => StartAsync("MtaSts.Net Test Root", (ca, dns, https) => new TestWorld(ca, dns, https));

    /// <summary>Publishes a TXT record and the enforce policy for <paramref name="domain"/>.</summary>
    public void Publish(string domain, string id) => Publish(domain, id, EnforcePolicy);

    public MtaStsOptions Options(Action<MtaStsOptions>? configure = null) => EnforcerOptions(options =>
    {
        options.DnsTimeout = TimeSpan.FromSeconds(2);
        options.DnsRetries = 0;
        options.FetchTimeout = TimeSpan.FromSeconds(10);
        options.FetchRetries = 0; // these tests count single fetches; the retry tests (HostingTests) set it
        configure?.Invoke(options);
    });

    /// <summary>An enforcer on the fake clock.</summary>
    public MtaStsEnforcer Enforcer(Action<MtaStsOptions>? configure = null) => Track(MtaStsEnforcer.Create(Options(configure), Time));

    /// <summary>An enforcer on the real clock (for real timeouts).</summary>
    public MtaStsEnforcer RealTimeEnforcer(Action<MtaStsOptions>? configure = null) => Track(MtaStsEnforcer.Create(Options(configure)));

    public override async ValueTask DisposeAsync()
    {
        _enforcers.ForEach(e => e.Dispose());
        await base.DisposeAsync().ConfigureAwait(false);
    }

    private MtaStsEnforcer Track(MtaStsEnforcer enforcer)
    {
        _enforcers.Add(enforcer);
        return enforcer;
    }
}
