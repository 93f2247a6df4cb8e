using System.Net;
using System.Net.Http;
using System.Net.Security;
using MtaSts.Testing;

namespace MtaSts.Benchmarks;

/// <summary>A DNS server and an HTTPS policy host on loopback, publishing one enforce policy for example.com.</summary>
internal sealed class LoopbackWorld : LoopbackInternet
{
    private LoopbackWorld(TestCertificateAuthority ca, LoopbackDnsServer dns, LoopbackPolicyHost https)
        : base(ca, dns, https)
    {
    }

    public static async Task<LoopbackWorld> StartAsync()
    {
        var world = await StartAsync("MtaSts.Net Benchmark Root", (ca, dns, https) => new LoopbackWorld(ca, dns, https));
        world.Publish("example.com", "20240101", Samples.TypicalPolicy, ttl: 3600);
        return world;
    }

    public MtaStsEnforcer Enforcer() => MtaStsEnforcer.Create(EnforcerOptions(o =>
    {
        o.TxtRecheckMaximum = TimeSpan.FromDays(1);
        o.TxtRecheckMinimum = TimeSpan.FromHours(1);
    }));

    /// <summary>A bare HttpClient reaching the same policy host, trusting the same CA.</summary>
    public HttpClient BareHttpClient() => HttpClient();

    public IPEndPoint DnsEndPoint => Dns.EndPoint;
}
