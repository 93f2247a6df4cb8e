using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using MtaSts.Caching;
using MtaSts.IntegrationTests.Infrastructure;
using MtaSts.Testing;

namespace MtaSts.IntegrationTests.Caching;

/// <summary>
/// A policy store that cannot be read is "unknown", not "absent" (CACHE-3, CACHE-11): the stored enforce policy is never
/// replaced by "no policy" because of an outage, and it applies as soon as the store answers again.
/// </summary>
public sealed class StoreOutageTests : WorldTest
{
    [Fact]
    public async Task StoreDownAtStart_PolicyHostUnreachable_FailsClosedUntilStoreAnswers()
    {
        var store = new OutageStore();
        await store.Inner.SetAsync(new MtaStsStoredPolicy("example.com", "e1", TestWorld.EnforcePolicy, World.Time.GetUtcNow()));
        World.Dns.SetTxt("_mta-sts.example.com", 300, [["v=STSv1; id=e1"]]); // the policy host is unreachable (nothing served)
        store.Down = true;
        using var enforcer = MtaStsEnforcer.Create(World.Options(), World.Time, store: store);

        var during = await enforcer.GetPolicyAsync("example.com");
        during.IsFailClosed.Should().BeTrue("the stored enforce policy may apply: fail closed as for a DNS failure");
        during.DiscoveryFailure!.ReasonCode.Should().Be("store-unavailable");
        during.EvaluateMx("attacker.example.net").Verdict.Should().Be(MtaStsVerdict.FailClosed);

        foreach (var minutes in new[] { 6, 60, 600 })
        {
            World.Time.Advance(TimeSpan.FromMinutes(minutes));
            for (var i = 0; i < 3; i++)
            {
                var still = await enforcer.GetPolicyAsync("example.com");
                still.EvaluateMx("attacker.example.net").Verdict.Should().Be(MtaStsVerdict.FailClosed, $"still unknown after +{minutes} min");
                still.DiscoveryFailure!.Detail.Should().Be(during.DiscoveryFailure.Detail, "the failure is not re-wrapped on every lookup");
            }
        }

        store.Down = false;
        World.Time.Advance(World.Options().StoreBreakDuration); // the store's breaker lets a probe through
        var after = await enforcer.GetPolicyAsync("example.com");

        after.Mode.Should().Be(MtaStsMode.Enforce, "the store answers again: its policy applies: " + after);
        after.EvaluateMx("attacker.example.net").Verdict.Should().Be(MtaStsVerdict.FailClosed);
        after.EvaluateMx("mail.example.com").Verdict.Should().Be(MtaStsVerdict.Deliver);
    }

    [Fact]
    public async Task StoreDown_WhileTxtFresh_NoDnsQueryPerLookup()
    {
        var store = new OutageStore { Down = true };
        World.Dns.SetTxt("_mta-sts.example.com", 300, [["v=STSv1; id=e1"]]);
        using var enforcer = MtaStsEnforcer.Create(World.Options(), World.Time, store: store);

        for (var i = 0; i < 5; i++)
        {
            (await enforcer.GetPolicyAsync("example.com")).IsFailClosed.Should().BeTrue();
        }

        World.Dns.Queries("_mta-sts.example.com").Should().Be(1, "the TXT answer is trusted for its TTL; only the store is asked again");
        store.Reads.Should().BeGreaterThanOrEqualTo(3, "lookups ask the store until its breaker opens");
    }

    [Fact]
    public async Task StoreDown_FreshPolicyFetched_Applies()
    {
        var store = new OutageStore { Down = true };
        World.Publish("example.com", "e2");
        using var enforcer = MtaStsEnforcer.Create(World.Options(), World.Time, store: store);

        var state = await enforcer.GetPolicyAsync("example.com");

        state.Mode.Should().Be(MtaStsMode.Enforce, "CACHE-8: a freshly fetched valid policy settles it");
        state.IsFailClosed.Should().BeFalse();
    }

    [Fact]
    public async Task StoreDown_DnsFailureBehaviorProceed_Opportunistic()
    {
        var store = new OutageStore { Down = true };
        using var enforcer = MtaStsEnforcer.Create(World.Options(o => o.DnsFailureBehavior = MtaStsDnsFailureBehavior.Proceed), World.Time, store: store);

        var state = await enforcer.GetPolicyAsync("example.com");

        state.IsFailClosed.Should().BeFalse("the configured DNS-failure behaviour decides");
        state.DiscoveryFailure!.ReasonCode.Should().Be("store-unavailable");
        state.EvaluateMx("mx.example.com").Verdict.Should().Be(MtaStsVerdict.Deliver);
    }

    [Fact]
    public async Task StoreReturnsAnotherDomainsEntry_Ignored()
    {
        using var logs = new FakeLoggerProvider();
        using var factory = LoggerFactory.Create(b => b.AddProvider(logs));
        var store = new OutageStore { Alias = "attacker.example" };
        await store.Inner.SetAsync(new MtaStsStoredPolicy("attacker.example", "a1", "version: STSv1\nmode: none\nmax_age: 86400\n", World.Time.GetUtcNow()));
        World.Dns.SetReturnCode("_mta-sts.example.com", ARSoft.Tools.Net.Dns.ReturnCode.ServerFailure);
        using var enforcer = MtaStsEnforcer.Create(World.Options(), World.Time, factory, store);

        var state = await enforcer.GetPolicyAsync("example.com");

        state.Policy.Should().BeNull("an entry for attacker.example never applies to example.com");
        state.IsFailClosed.Should().BeTrue("TXT-14: nothing cached and DNS failed");
        logs.Collector.GetSnapshot().Should().Contain(r => r.Id.Name == "StoreWrongDomain");
    }

    /// <summary>A store the application owns, that can be taken down or made to answer for the wrong domain.</summary>
    private sealed class OutageStore : IMtaStsPolicyStore
    {
        private int _reads;

        public InMemoryPolicyStore Inner { get; } = new();

        public volatile bool Down;

        public string? Alias { get; init; }

        public int Reads => _reads;

        public ValueTask<MtaStsStoredPolicy?> GetAsync(string domain, CancellationToken cancellationToken = default)
        {
            Interlocked.Increment(ref _reads);
            return Down ? throw new TimeoutException("store timed out") : Inner.GetAsync(Alias ?? domain, cancellationToken);
        }

        public ValueTask SetAsync(MtaStsStoredPolicy policy, CancellationToken cancellationToken = default) =>
            Down ? throw new TimeoutException("store timed out") : Inner.SetAsync(policy, cancellationToken);

        public ValueTask RemoveAsync(string domain, CancellationToken cancellationToken = default) => Inner.RemoveAsync(domain, cancellationToken);

        public ValueTask ClearAsync(CancellationToken cancellationToken = default) => Inner.ClearAsync(cancellationToken);
    }
}
