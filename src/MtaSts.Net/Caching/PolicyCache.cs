using System.Collections.Concurrent;

namespace MtaSts.Caching;

/// <summary>
/// The in-memory policy cache, keyed by the normalised policy domain (CACHE-10) and bounded. Past <c>maxEntries</c> it
/// drops a tenth of its capacity: dead entries first, then entries without a policy, then policies of mode
/// <c>none</c> and <c>testing</c>, and <c>enforce</c> policies last; within each class, the least recently used first.
/// The order does not depend on <c>max_age</c>, so domains an attacker controls cannot outlast a victim's policy by
/// publishing longer lifetimes; a victim's <c>enforce</c> policy in use survives any number of weaker entries.
/// </summary>
/// <remarks>
/// The cache is the dictionary itself rather than a wrapper around one: a cache hit is the hot path of every delivery,
/// and one pointer fewer between the enforcer and the entry is measurable there. Entries go in through <see cref="Set"/>
/// only; one stored any other way has no freshness deadline, so a hit never serves it without the exact clock.
/// The default comparer is ordinal for strings and, unlike an explicit <see cref="StringComparer.Ordinal"/>, takes the
/// runtime's non-randomised hashing fast path (switching to randomised hashing on its own under collisions).
/// </remarks>
internal sealed class PolicyCache(int maxEntries) : ConcurrentDictionary<string, CacheEntry>
{
    private readonly Lock _evictionLock = new();

    public CacheEntry? Get(string domain) => TryGetValue(domain, out var entry) ? entry : null;

    public void Set(CacheEntry entry, long now)
    {
        entry.Touch(now);
        entry.ComputeFreshBefore(); // before the entry is published: readers test freshness with it
        this[entry.Domain] = entry;
        if (Count > maxEntries)
        {
            Evict(now);
        }
    }

    public void Remove(string domain) => TryRemove(domain, out _);

    /// <summary>The entries now held (a snapshot), for the refresher.</summary>
    public IEnumerable<CacheEntry> Entries => Values;

    private void Evict(long now)
    {
        lock (_evictionLock)
        {
            var excess = Count - maxEntries;
            if (excess <= 0)
            {
                return;
            }

            var toRemove = Math.Max(excess, maxEntries / 10);
            var victims = Values
                .OrderBy(e => Rank(e, now))
                .ThenBy(e => e.LastUsed)
                .Take(toRemove)
                .Select(e => e.Domain)
                .ToList();
            foreach (var domain in victims)
            {
                TryRemove(domain, out _);
            }
        }
    }

    private static int Rank(CacheEntry entry, long now) =>
        entry.KeepUntil < now ? 0
        : entry.Policy is null ? 1
        : entry.Policy.Mode != MtaStsMode.Enforce ? 2
        : 3;
}
