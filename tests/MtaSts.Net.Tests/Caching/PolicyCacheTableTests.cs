using MtaSts.Caching;
using MtaSts.Decisions;

namespace MtaSts.Tests.Caching;

/// <summary>
/// The lock-free map under the policy cache (CACHE-10): what it holds, that readers racing writers always see a whole
/// entry, and that a flood of names colliding under the fixed hash switches it to the seeded one.
/// </summary>
public sealed class PolicyCacheTableTests
{
    private const long Now = 1_000_000;

    [Fact]
    public void SetGetRemoveClear_AcrossGrowth_HoldExactlyWhatWasStored()
    {
        var cache = new PolicyCache(100_000);
        for (var i = 0; i < 5000; i++)
        {
            cache.Set(Entry($"d{i}.example"), Now);
        }

        cache.Set(Entry("d7.example"), Now); // a replacement is not a new entry
        cache.Count.Should().Be(5000);
        Enumerable.Range(0, 5000).Should().OnlyContain(i => cache.Get($"d{i}.example")!.Domain == $"d{i}.example");
        cache.Get("d5000.example").Should().BeNull();
        cache.Get(new string("d42.example".ToCharArray())).Should().NotBeNull("names compare by value, not by reference");

        for (var i = 0; i < 5000; i += 2)
        {
            cache.Remove($"d{i}.example");
        }

        cache.Remove("absent.example");
        cache.Count.Should().Be(2500);
        cache.Entries.Select(e => e.Domain).ToHashSet().SetEquals(Enumerable.Range(0, 2500).Select(i => $"d{(i * 2) + 1}.example")).Should().BeTrue();
        cache.Get("d4.example").Should().BeNull();

        cache.Clear();
        cache.Count.Should().Be(0);
        cache.Get("d5.example").Should().BeNull();
        cache.Entries.Should().BeEmpty();
    }

    [Fact]
    public void Set_NamesCollidingUnderTheFixedHash_SwitchesToTheSeededHash()
    {
        // Names an attacker could compute: all in one bucket of any table up to 1,024 buckets under the fixed hash.
        var colliding = Enumerable.Range(0, 1_000_000)
            .Select(i => $"x{i}.attacker.example")
            .Where(name => (uint)PolicyCache.FixedHash(name) * 0x9E3779B9u >> 22 == 0)
            .Take(PolicyCache.CollisionLimit + 20)
            .ToList();
        colliding.Should().HaveCount(PolicyCache.CollisionLimit + 20, "the search finds enough names");
        var cache = new PolicyCache(100_000);

        foreach (var name in colliding.Take(PolicyCache.CollisionLimit))
        {
            cache.Set(Entry(name), Now);
        }

        cache.IsRandomized.Should().BeFalse("a chain of exactly the limit is tolerated");
        cache.LongestChain.Should().Be(PolicyCache.CollisionLimit, "the names do collide under the fixed hash");
        foreach (var name in colliding.Skip(PolicyCache.CollisionLimit))
        {
            cache.Set(Entry(name), Now);
        }

        cache.IsRandomized.Should().BeTrue();
        cache.LongestChain.Should().BeLessThan(10, "under the seeded hash the names spread out");
        cache.Count.Should().Be(colliding.Count);
        colliding.Should().OnlyContain(name => cache.Get(name)!.Domain == name);
        cache.Clear();
        cache.IsRandomized.Should().BeTrue("once flooded, the cache keeps the seeded hash");
    }

    [Fact]
    public async Task Get_RacingWritersThatGrowReplaceAndRemove_AlwaysSeesAWholeEntryForAStableName()
    {
        var cache = new PolicyCache(1_000_000);
        var stable = Enumerable.Range(0, 64).Select(i => $"stable{i}.example").ToArray();
        foreach (var name in stable)
        {
            cache.Set(Entry(name), Now);
        }

        var failures = 0;
        var reads = 0L;
        HashSet<string> expected = [.. stable]; // what the writer leaves, kept by the writer alone
        using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(20)); // bounded in time as well as in count
        using var readersRunning = new CountdownEvent(2);
        var writer = Task.Run(() =>
        {
            readersRunning.Wait(TimeSpan.FromSeconds(10)); // start writing once both readers read
            for (var i = 0; i < 40_000 && !bound.IsCancellationRequested; i++)
            {
                cache.Set(Entry($"churn{i}.example"), Now);        // grows the table many times
                expected.Add($"churn{i}.example");
                cache.Set(Entry(stable[i % stable.Length]), Now); // replaces a stable name
                if (i % 3 == 0)
                {
                    cache.Remove($"churn{i / 2}.example");
                    expected.Remove($"churn{i / 2}.example");
                }
            }
        });
        var readers = Enumerable.Range(0, 2).Select(_ => Task.Run(() =>
        {
            readersRunning.Signal();
            for (var i = 0; !writer.IsCompleted && i < 50_000_000; i++)
            {
                var name = stable[i % stable.Length];
                if (cache.Get(name)?.Domain != name)
                {
                    Interlocked.Increment(ref failures);
                }

                Interlocked.Increment(ref reads);
            }
        })).ToArray();

        await Task.WhenAll([writer, .. readers]);

        failures.Should().Be(0, "a reader never misses a name that is always present, nor sees another name's entry");
        reads.Should().BeGreaterThan(1000, "the readers ran while the writer wrote");
        cache.Count.Should().Be(expected.Count);
        cache.Entries.Select(e => e.Domain).ToHashSet().SetEquals(expected).Should().BeTrue("the map holds what the writer left");
    }

    [Fact]
    public void Remove_WithAnExpectedEntryReplacedSince_KeepsTheNewEntry()
    {
        var cache = new PolicyCache(100);
        var chosen = Entry("victim.example");
        cache.Set(chosen, Now);
        var newer = Entry("victim.example");
        cache.Set(newer, Now + 1);

        cache.Remove("victim.example", chosen);
        cache.Get("victim.example").Should().BeSameAs(newer, "eviction chose the older entry; the newer one stays");

        cache.Remove("victim.example", newer);
        cache.Get("victim.example").Should().BeNull();
        cache.Count.Should().Be(0);
    }

    private static CacheEntry Entry(string domain) =>
        CacheEntry.WithoutPolicy(MtaStsPolicyState.WithoutPolicy(domain, null, EvaluationSettings.Default), Now + 3600);
}
