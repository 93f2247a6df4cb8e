namespace MtaSts.Caching;

/// <summary>
/// The in-memory policy cache, keyed by the normalised policy domain (CACHE-10) and bounded. Past <c>maxEntries</c> it
/// drops a tenth of its capacity: dead entries first, then entries without a policy, then policies of mode
/// <c>none</c> and <c>testing</c>, and <c>enforce</c> policies last; within each class, the least recently used first.
/// The order does not depend on <c>max_age</c>, so domains an attacker controls cannot outlast a victim's policy by
/// publishing longer lifetimes; a victim's <c>enforce</c> policy in use survives any number of weaker entries.
/// </summary>
/// <remarks>
/// Entries go in through <see cref="Set"/> only, which gives each its freshness deadline before any reader can see it.
/// </remarks>
internal sealed partial class PolicyCache(int maxEntries)
{
    private readonly Lock _evictionLock = new();

    /// <summary>Adds or replaces the entry for its domain, then evicts if the cache is over its bound.</summary>
    public void Set(CacheEntry entry, long now)
    {
        entry.Touch(now);
        entry.ComputeFreshBefore(); // before the entry is published: readers test freshness with it
        Put(entry.Domain, entry);
        if (Count > maxEntries)
        {
            Evict(now);
        }
    }

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
            var victims = Entries
                .OrderBy(e => Rank(e, now))
                .ThenBy(e => e.LastUsed)
                .Take(toRemove)
                .ToList();
            foreach (var victim in victims)
            {
                Remove(victim.Domain, victim); // not an entry stored for the name since the choice
            }
        }
    }

    private static int Rank(CacheEntry entry, long now) =>
        entry.KeepUntil < now ? 0
        : entry.Policy is null ? 1
        : entry.Policy.Mode != MtaStsMode.Enforce ? 2
        : 3;
}
