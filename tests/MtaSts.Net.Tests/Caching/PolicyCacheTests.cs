using MtaSts.Caching;
using MtaSts.Decisions;

namespace MtaSts.Tests.Caching;

/// <summary>
/// Eviction from the bounded memory cache: by class (dead, no policy, none/testing, enforce last), then least recently
/// used; never by max_age, which the domain's publisher (maybe an attacker) chooses.
/// </summary>
public sealed class PolicyCacheTests
{
    private const long Hour = 3600;
    private const long Now = 1_000_000;

    [Fact]
    public void Evict_AttackerDomainsWithYearLongMaxAge_VictimEnforceSurvives()
    {
        var cache = new PolicyCache(100);
        cache.Set(Entry("victim.example", MtaStsMode.Enforce, maxAge: Hour * 24), Now);

        // 1,000 attacker-chosen domains, each with the longest max_age, some even enforce, all inserted after the victim.
        for (var i = 0; i < 1000; i++)
        {
            cache.Set(Entry($"a{i}.attacker.example", i % 2 == 0 ? MtaStsMode.Testing : MtaStsMode.Enforce, maxAge: Hour * 24 * 365), Now + 1 + i);
            if (i % 50 == 0)
            {
                cache.Get("victim.example")!.Touch(Now + 1 + i); // the victim is mailed now and then
            }
        }

        cache.Count.Should().BeLessThanOrEqualTo(100);
        cache.Get("victim.example").Should().NotBeNull("a victim's enforce policy in use is not pushed out by longer max_age values");
    }

    [Fact]
    public void Evict_EnforceOutlastsWeakerModesWhateverTheRecency()
    {
        var cache = new PolicyCache(10);
        cache.Set(Entry("enforce.example", MtaStsMode.Enforce, maxAge: Hour), Now);
        for (var i = 0; i < 10; i++)
        {
            cache.Set(Entry($"t{i}.example", MtaStsMode.Testing, maxAge: Hour * 24 * 365), Now + 10 + i);
        }

        cache.Get("enforce.example").Should().NotBeNull("enforce policies are evicted last");
        cache.Get("t0.example").Should().BeNull("the least recently used testing policy went first");
        cache.Get("t9.example").Should().NotBeNull("the most recently used testing policy stays");
    }

    [Fact]
    public void Evict_WithinAClass_LeastRecentlyUsedFirst()
    {
        var cache = new PolicyCache(10);
        for (var i = 0; i < 10; i++)
        {
            cache.Set(Entry($"d{i}.example", MtaStsMode.Enforce, maxAge: Hour * (10 - i)), Now + i);
        }

        cache.Get("d0.example")!.Touch(Now + 100); // d0 has the longest max_age and is used again
        cache.Get("d9.example")!.Touch(Now + 101);
        cache.Set(Entry("new.example", MtaStsMode.Enforce, maxAge: Hour), Now + 102);

        cache.Get("d1.example").Should().BeNull("d1 is the least recently used");
        cache.Get("d0.example").Should().NotBeNull("used recently, so kept");
        cache.Get("d9.example").Should().NotBeNull("recency, not max_age, decides");
        cache.Get("new.example").Should().NotBeNull("just stored");
    }

    [Fact]
    public void Evict_DeadAndPolicylessEntriesGoBeforeAnyPolicy()
    {
        var cache = new PolicyCache(4);
        cache.Set(Entry("testing.example", MtaStsMode.Testing, maxAge: Hour), Now);
        cache.Set(Entry("enforce.example", MtaStsMode.Enforce, maxAge: Hour), Now);
        cache.Set(CacheEntry.WithoutPolicy(State("nopolicy.example", null), txtFreshUntil: Now + Hour), Now + 5);
        cache.Set(CacheEntry.WithoutPolicy(State("dead.example", null), txtFreshUntil: Now - 1), Now + 6);
        cache.Set(Entry("late.example", MtaStsMode.Testing, maxAge: Hour), Now + 7);

        cache.Get("dead.example").Should().BeNull("a dead entry goes first even though it was used more recently");
        cache.Get("testing.example").Should().NotBeNull("a policy outranks dead and policy-less entries");
        cache.Get("enforce.example").Should().NotBeNull("enforce policies go last");
    }

    private static CacheEntry Entry(string domain, MtaStsMode mode, long maxAge)
    {
        var text = $"version: STSv1\nmode: {mode.ToString().ToLowerInvariant()}\nmx: mx.{domain}\nmax_age: {maxAge}\n";
        MtaStsPolicy.TryParse(text, out var policy, out var error).Should().BeTrue(error);
        return new CacheEntry(State(domain, policy), Now + Hour, null, long.MinValue, Now + maxAge);
    }

    private static MtaStsPolicyState State(string domain, MtaStsPolicy? policy) =>
        policy is null
            ? MtaStsPolicyState.WithoutPolicy(domain, null, EvaluationSettings.Default)
            : MtaStsPolicyState.WithPolicy(domain, policy, "1", DateTimeOffset.UnixEpoch, EvaluationSettings.Default);
}
