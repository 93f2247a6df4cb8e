using MtaSts.Caching;
using MtaSts.IntegrationTests.Infrastructure;
using MtaSts.Testing;

namespace MtaSts.IntegrationTests.Caching;

/// <summary>
/// Wall-clock steps neither freeze TXT re-checks and fetch back-off nor stretch a policy's life: durations are measured
/// on the monotonic clock; stored fetch times from the future are counted from now (FLOW-15, FETCH-11, CACHE-1, CACHE-11).
/// </summary>
public sealed class ClockStepTests : WorldTest
{
    private const string NonePolicy = "version: STSv1\nmode: none\nmax_age: 86400\n";
    private readonly SteppableClock _clock = new();

    [Fact]
    public async Task WallClockSteppedBack_TxtStillRecheckedAfterItsTtl()
    {
        World.Publish("example.com", "e1", TestWorld.EnforcePolicy, ttl: 300);
        using var enforcer = MtaStsEnforcer.Create(World.Options(), _clock);
        (await enforcer.GetPolicyAsync("example.com")).Mode.Should().Be(MtaStsMode.Enforce);

        // The domain moves to none; the wall clock is stepped back a day; five minutes pass for real.
        World.Publish("example.com", "n1", NonePolicy, ttl: 300);
        _clock.WallOffset = -TimeSpan.FromDays(1);
        _clock.Advance(TimeSpan.FromSeconds(301));

        var state = await enforcer.GetPolicyAsync("example.com");

        World.Dns.Queries("_mta-sts.example.com").Should().Be(2, "FLOW-15: the TTL ran out on the monotonic clock");
        state.Mode.Should().Be(MtaStsMode.None, "CACHE-8: the new policy replaces the old one");
    }

    [Fact]
    public async Task WallClockSteppedBack_FetchBackoffEndsAfterFiveMinutes()
    {
        World.Dns.SetTxt("_mta-sts.example.com", 60, [["v=STSv1; id=b1"]]);
        World.Https.Serve("mta-sts.example.com", context =>
        {
            context.Response.StatusCode = 404; // FETCH-6: every fetch fails until the policy is served
            return Task.CompletedTask;
        });
        using var enforcer = MtaStsEnforcer.Create(World.Options(), _clock);
        (await enforcer.GetPolicyAsync("example.com")).DiscoveryFailure!.Kind.Should().Be(MtaStsFailureKind.PolicyFetchError);
        World.Https.RequestCount("mta-sts.example.com").Should().Be(1);

        _clock.WallOffset = -TimeSpan.FromDays(1);
        _clock.Advance(TimeSpan.FromMinutes(6));
        World.Https.ServePolicy("mta-sts.example.com", TestWorld.EnforcePolicy);

        var state = await enforcer.GetPolicyAsync("example.com");

        World.Https.RequestCount("mta-sts.example.com").Should().Be(2, "FETCH-11: the back-off is five minutes, not five minutes plus a day");
        state.Mode.Should().Be(MtaStsMode.Enforce);
    }

    [Fact]
    public async Task WallClockSteppedForward_FreshPolicyNotExpired()
    {
        World.Publish("example.com", "e1");
        using var enforcer = MtaStsEnforcer.Create(World.Options(), _clock);
        await enforcer.GetPolicyAsync("example.com");
        World.Dns.SetReturnCode("_mta-sts.example.com", ARSoft.Tools.Net.Dns.ReturnCode.ServerFailure);

        _clock.WallOffset = TimeSpan.FromDays(3); // max_age is one day; one minute has really passed
        _clock.Advance(TimeSpan.FromMinutes(1));

        var state = await enforcer.GetPolicyAsync("example.com");
        state.Mode.Should().Be(MtaStsMode.Enforce, "a wall-clock jump does not age a policy fetched a minute ago");
        state.EvaluateMx("evil.example.net").Verdict.Should().Be(MtaStsVerdict.FailClosed);
    }

    [Fact]
    public async Task StoredFetchTimeInTheFuture_CountedFromNow()
    {
        // A store entry claiming a fetch a year ahead (a clock that ran ahead when it was written, or a forged entry).
        var store = new InMemoryPolicyStore();
        var wallNow = _clock.GetUtcNow();
        await store.SetAsync(new MtaStsStoredPolicy("example.com", "e1", TestWorld.EnforcePolicy, wallNow + TimeSpan.FromDays(365)));
        World.Dns.SetReturnCode("_mta-sts.example.com", ARSoft.Tools.Net.Dns.ReturnCode.ServerFailure);
        using var enforcer = MtaStsEnforcer.Create(World.Options(), _clock, store: store);

        var first = await enforcer.GetPolicyAsync("example.com");
        first.Mode.Should().Be(MtaStsMode.Enforce, "CACHE-11: the stored policy applies while DNS fails");
        first.FetchedAt.Should().Be(wallNow, "a future fetch time is clamped to now");

        _clock.Advance(TimeSpan.FromDays(1) + TimeSpan.FromMinutes(1)); // max_age 86400 s has passed
        var later = await enforcer.GetPolicyAsync("example.com");

        later.Policy.Should().BeNull("CACHE-2: the policy expired max_age after now, not after the claimed future time");
    }
}
