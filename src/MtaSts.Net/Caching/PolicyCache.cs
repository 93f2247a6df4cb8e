using System.Collections.Concurrent;

namespace MtaSts.Caching;

/// <summary>
/// The in-memory policy cache, keyed by the normalised policy domain (CACHE-10) and bounded: past
/// <c>maxEntries</c> it first drops dead entries, then entries without a policy, then the soonest to expire.
/// </summary>
internal sealed class PolicyCache(int maxEntries)
{
    private readonly ConcurrentDictionary<string, CacheEntry> _entries = new(StringComparer.Ordinal);
    private readonly Lock _evictionLock = new();

    public int Count => _entries.Count;

    public CacheEntry? Get(string domain) => _entries.TryGetValue(domain, out var entry) ? entry : null;

    public void Set(CacheEntry entry, DateTimeOffset now)
    {
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

    private void Evict(DateTimeOffset now)
    {
        lock (_evictionLock)
        {
            var excess = _entries.Count - maxEntries;
            if (excess <= 0)
            {
                return;
            }

            // Evict a tenth of the capacity at once so eviction stays rare; weakest entries first.
            var toRemove = Math.Max(excess, maxEntries / 10);
            var victims = _entries.Values
                .OrderBy(e => e.KeepUntil < now ? 0 : e.Policy is null ? 1 : 2)
                .ThenBy(e => e.KeepUntil)
                .Take(toRemove)
                .Select(e => e.Domain)
                .ToList();
            foreach (var domain in victims)
            {
                _entries.TryRemove(domain, out _);
            }
        }
    }
}
