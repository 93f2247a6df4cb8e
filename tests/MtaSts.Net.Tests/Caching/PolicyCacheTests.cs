using CsCheck;
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

    /// <summary>
    /// FLOW-15, CACHE-2: the hit's one-comparison deadline answers exactly as the full rule (TXT TTL, store unknown,
    /// policy expiry inclusive), for every entry shape and clock reading, including a <c>with</c> copy that changes a
    /// deadline after its original was stored.
    /// </summary>
    [Fact]
    public void IsFreshInCache_AgreesWithIsFresh_ForEveryEntryStoredThroughSet()
    {
        var times = Gen.Frequency((4, Gen.Long[Now - 10, Now + 10]), (1, Gen.Const(long.MinValue)), (1, Gen.Const(long.MaxValue)));
        var policy = Entry("p.example", MtaStsMode.Enforce, maxAge: Hour).State;
        var none = State("n.example", null);
        Gen.Select(times, times, times, Gen.Bool, Gen.Bool, Gen.Long[Now - 12, Now + 12]).Sample((txt, expires, changedTxt, hasPolicy, storeUnknown, now) =>
        {
            var cache = new PolicyCache(10);
            var entry = new CacheEntry(hasPolicy ? policy : none, txt, null, long.MinValue, expires) { StoreUnknown = storeUnknown };
            cache.Set(entry, Now);
            cache.Get(entry.Domain)!.IsFreshInCache(now).Should().Be(entry.IsFresh(now));

            var copy = entry with { TxtFreshUntil = changedTxt };
            copy.IsFreshInCache(now).Should().Be(entry.IsFresh(now), "a copy starts with its original's deadline until it is stored");
            cache.Set(copy, Now);
            cache.Get(entry.Domain)!.IsFreshInCache(now).Should().Be(copy.IsFresh(now));
        }, iter: 20_000);
    }

    [Fact]
    public void IsFreshInCache_EntryNeverStored_NeverServedWithoutTheExactClock()
    {
        var entry = Entry("new.example", MtaStsMode.Enforce, maxAge: Hour);

        entry.IsFresh(Now).Should().BeTrue();
        entry.IsFreshInCache(Now).Should().BeFalse("only PolicyCache.Set gives an entry its deadline; before that a hit falls back to the exact check");
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
