using System.Diagnostics;
using MtaSts.Caching;
using MtaSts.IntegrationTests.Infrastructure;
using MtaSts.Testing;

namespace MtaSts.IntegrationTests.Caching;

/// <summary>
/// A sender that starts while Redis is hung (SIGSTOP) and the policy host is unreachable must not resolve a stored
/// enforce domain to "no policy": it fails closed until Redis answers, then enforces the stored policy (CACHE-3, CACHE-11).
/// </summary>
public sealed class RedisOutageEnforcementTests : WorldTest
{
    [Fact]
    public async Task StartWhileRedisHung_StoredEnforceDomain_FailsClosedThenEnforcesAfterResume()
    {
        using var redis = await LoopbackRedisServer.StartAsync();
        using var cache = TestRedis.Cache(redis);
        var store = new DistributedCachePolicyStore(cache);
        await store.SetAsync(new MtaStsStoredPolicy("example.com", "e1", TestWorld.EnforcePolicy, DateTimeOffset.UtcNow));
        World.Dns.SetTxt("_mta-sts.example.com", 60, [["v=STSv1; id=e1"]]); // DNS up; the policy host serves nothing

        redis.Pause();
        MtaStsEnforcer enforcer;
        try
        {
            enforcer = MtaStsEnforcer.Create(World.Options(o =>
            {
                o.StoreTimeout = TimeSpan.FromMilliseconds(300);
                o.StoreBreakDuration = TimeSpan.FromSeconds(1);
                o.TxtRecheckMinimum = TimeSpan.FromSeconds(1);
            }), store: store);

            var during = await enforcer.GetPolicyAsync("example.com");
            during.IsFailClosed.Should().BeTrue("the stored enforce policy is unknown, not absent");
            during.EvaluateMx("attacker.example.net").Verdict.Should().Be(MtaStsVerdict.FailClosed);
            for (var i = 0; i < 5; i++)
            {
                (await enforcer.GetPolicyAsync("example.com")).EvaluateMx("attacker.example.net").Verdict.Should().Be(MtaStsVerdict.FailClosed);
            }
        }
        finally
        {
            redis.Resume();
        }

        using (enforcer)
        {
            // After SIGCONT the breaker half-opens within StoreBreakDuration and the stored policy is read.
            var watch = Stopwatch.StartNew();
            MtaStsPolicyState state;
            do
            {
                await Task.Delay(200);
                state = await enforcer.GetPolicyAsync("example.com");
            }
            while (state.Policy is null && watch.Elapsed < TimeSpan.FromSeconds(20));

            state.Mode.Should().Be(MtaStsMode.Enforce, "once Redis answers, its policy applies: " + state);
            state.EvaluateMx("attacker.example.net").Verdict.Should().Be(MtaStsVerdict.FailClosed);
            state.EvaluateMx("mail.example.com").Verdict.Should().Be(MtaStsVerdict.Deliver);
        }
    }
}
