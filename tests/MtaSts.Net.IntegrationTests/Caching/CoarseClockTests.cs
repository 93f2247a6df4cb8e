using MtaSts.IntegrationTests.Infrastructure;

namespace MtaSts.IntegrationTests.Caching;

/// <summary>
/// With the system clock, a cache hit reads a coarse timestamp instead of the clock; expiry (CACHE-2) and the TXT TTL
/// (FLOW-15) must still hold: never served past the deadline, since the coarse reading is only trusted a full period
/// (plus slack) before it. Real time, counted at the real HTTPS server.
/// </summary>
public sealed class CoarseClockTests : WorldTest
{
    private const string Host = "mta-sts.example.com";

    [Fact]
    public async Task SystemClock_PolicyPastMaxAge_FetchedAgainNotServedFromTheCache()
    {
        World.Publish("example.com", "1", "version: STSv1\nmode: enforce\nmx: mail.example.com\nmax_age: 2\n", ttl: 3600);
        var enforcer = World.RealTimeEnforcer();
        (await enforcer.GetPolicyAsync("example.com")).Mode.Should().Be(MtaStsMode.Enforce);
        (await enforcer.GetPolicyAsync("example.com")).Mode.Should().Be(MtaStsMode.Enforce);
        World.Https.RequestCount(Host).Should().Be(1, "the second lookup, well before max_age, is a hit");

        await Task.Delay(TimeSpan.FromSeconds(2.2)); // past max_age; less than the coarse clock's period plus slack beyond it

        var after = await enforcer.GetPolicyAsync("example.com");

        after.Mode.Should().Be(MtaStsMode.Enforce);
        World.Https.RequestCount(Host).Should().Be(2, "CACHE-2: a policy past max_age is never served from the cache, coarse clock or not");
    }
}
