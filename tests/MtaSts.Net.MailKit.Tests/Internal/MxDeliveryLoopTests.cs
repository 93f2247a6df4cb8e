using System.Net;
using MtaSts.MailKit.Delivery;
using MtaSts.MailKit.Internal;
using MtaSts.Testing;

namespace MtaSts.MailKit.Tests.Internal;

/// <summary>The one MX → address → connect loop, over real DNS from the loopback server.</summary>
public sealed class MxDeliveryLoopTests : IDisposable
{
    private readonly LoopbackDnsServer _dns = LoopbackDnsServer.Start();

    public MxDeliveryLoopTests()
    {
        _dns.SetMx("loop.test", (30, "mx3.loop.test"), (10, "mx1.loop.test"), (20, "mx2.loop.test"), (40, "mx4.loop.test"));
        _dns.SetA("mx1.loop.test", IPAddress.Parse("127.0.0.81"));
        _dns.SetA("mx2.loop.test", IPAddress.Parse("127.0.0.82"));
        _dns.SetA("mx4.loop.test", IPAddress.Parse("127.0.0.84")); // mx3 has no address
    }

    public void Dispose() => _dns.Dispose();

    [Theory]
    [InlineData("NextAddress", 10, "mx1.loop.test,mx2.loop.test,mx4.loop.test", "every host with an address, in preference order")]
    [InlineData("Stop", 10, "mx1.loop.test", "the first attempt ends the loop")]
    [InlineData("NextAddress", 2, "mx1.loop.test,mx2.loop.test", "MaxMxHosts bounds the hosts tried")]
    public async Task Run_WalksCandidatesAsTheStepsSay(string stepName, int maxMxHosts, string expected, string reason)
    {
        var step = Enum.Parse<MxStep>(stepName);
        var loop = new MxDeliveryLoop(new DnsClient.LookupClient(new DnsClient.LookupClientOptions(_dns.EndPoint) { UseCache = false, Timeout = TimeSpan.FromSeconds(2) }), Options(maxMxHosts), new Random(1));
        var (lookup, candidates) = await loop.ResolveAsync("loop.test", default);
        List<string> tried = [], noAddress = [];

        var stopped = await loop.RunAsync(candidates, _ => Task.FromResult(false), noAddress.Add, (host, _) =>
        {
            tried.Add(host);
            return Task.FromResult(step);
        }, default);

        lookup.Status.Should().Be(MxLookupStatus.Found);
        string.Join(",", tried).Should().Be(expected, reason);
        stopped.Should().Be(step == MxStep.Stop, reason);
        if (maxMxHosts > 2 && step != MxStep.Stop)
        {
            noAddress.Should().Equal(["mx3.loop.test"], "a host without an address is reported, then skipped");
        }
    }

    [Fact]
    public async Task Run_SkippedHost_NotResolved()
    {
        var loop = new MxDeliveryLoop(new DnsClient.LookupClient(new DnsClient.LookupClientOptions(_dns.EndPoint) { UseCache = false, Timeout = TimeSpan.FromSeconds(2) }), Options(10), new Random(1));
        var (_, candidates) = await loop.ResolveAsync("loop.test", default);
        List<string> tried = [];

        await loop.RunAsync(candidates, host => Task.FromResult(host == "mx1.loop.test"), _ => { }, (host, _) =>
        {
            tried.Add(host);
            return Task.FromResult(MxStep.NextAddress);
        }, default);

        tried.Should().NotContain("mx1.loop.test");
        _dns.Queries("mx1.loop.test").Should().Be(0, "a host the caller skips (MX-8) is never looked up");
    }

    private MtaStsDirectSenderOptions Options(int maxMxHosts)
    {
        return new MtaStsDirectSenderOptions { MaxMxHosts = maxMxHosts };
    }
}
