using System.Collections.Concurrent;

namespace MtaSts.Caching;

/// <summary>
/// The in-memory policy cache, keyed by the normalised policy domain (CACHE-10) and bounded. Past <c>maxEntries</c> it
/// drops a tenth of its capacity: dead entries first, then entries without a policy, then policies of mode
/// <c>none</c> and <c>testing</c>, and <c>enforce</c> policies last; within each class, the least recently used first.
/// The order does not depend on <c>max_age</c>, so domains an attacker controls cannot outlast a victim's policy by
/// publishing longer lifetimes; a victim's <c>enforce</c> policy in use survives any number of weaker entries.
/// </summary>
internal sealed class PolicyCache(int maxEntries)
{
    // The default comparer is ordinal for strings and, unlike an explicit StringComparer.Ordinal, takes the runtime's
    // non-randomised hashing fast path (switching to randomised hashing on its own under collisions): the cache hit is
    // the hot path of every delivery.
    private readonly ConcurrentDictionary<string, CacheEntry> _entries = new();
    private readonly Lock _evictionLock = new();

    public int Count => _entries.Count;

    public CacheEntry? Get(string domain) => _entries.TryGetValue(domain, out var entry) ? entry : null;

    public void Set(CacheEntry entry, long now)
    {
        entry.Touch(now);
        _entries[entry.Domain] = entry;
        if (_entries.Count > maxEntries)
        {
            Evict(now);
        }
    }

    public void Remove(string domain) => _entries.TryRemove(domain, out _);

    public void Clear() => _entries.Clear();

    /// <summary>The entries now held (a snapshot), for the refresher.</summary>
    public IEnumerable<CacheEntry> Entries => _entries.Values;

    private void Evict(long now)
    {
        lock (_evictionLock)
        {
            var excess = _entries.Count - maxEntries;
            if (excess <= 0)
            {
                return;
            }

            var toRemove = Math.Max(excess, maxEntries / 10);
            var victims = _entries.Values
                .OrderBy(e => Rank(e, now))
                .ThenBy(e => e.LastUsed)
                .Take(toRemove)
                .Select(e => e.Domain)
                .ToList();
            foreach (var domain in victims)
            {
                _entries.TryRemove(domain, out _);
            }
        }
    }

    private static int Rank(CacheEntry entry, long now) =>
        entry.KeepUntil < now ? 0
        : entry.Policy is null ? 1
        : entry.Policy.Mode != MtaStsMode.Enforce ? 2
        : 3;
}
