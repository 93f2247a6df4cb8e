using Microsoft.Extensions.Caching.Memory;

namespace MtaSts.Caching;

/// <summary>
/// The default store: process memory, bounded by <see cref="MtaStsOptions.MaxCacheEntries"/> (the least recently used
/// entries are compacted away first), each entry expiring with its policy. Lost on restart.
/// </summary>
public sealed class MemoryPolicyStore : IMtaStsPolicyStore, IDisposable
{
    private readonly MemoryCache _cache;

    /// <summary>Creates a store holding at most <paramref name="maxEntries"/> policies.</summary>
    /// <param name="maxEntries">The size limit; past it a tenth of the entries, least recently used first, is dropped.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxEntries"/> is not positive.</exception>
    public MemoryPolicyStore(int maxEntries = 100_000)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxEntries, 1);
        _cache = new MemoryCache(new MemoryCacheOptions { SizeLimit = maxEntries, CompactionPercentage = 0.1 });
    }

    /// <inheritdoc/>
    public ValueTask<MtaStsStoredPolicy?> GetAsync(string domain, CancellationToken cancellationToken = default) =>
        new(_cache.TryGetValue(domain, out MtaStsStoredPolicy? policy) ? policy : null);

    /// <inheritdoc/>
    public ValueTask SetAsync(MtaStsStoredPolicy policy, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(policy);
        _cache.Set(policy.Domain, policy, new MemoryCacheEntryOptions { Size = 1 });
        return ValueTask.CompletedTask;
    }

    /// <inheritdoc/>
    public ValueTask RemoveAsync(string domain, CancellationToken cancellationToken = default)
    {
        _cache.Remove(domain);
        return ValueTask.CompletedTask;
    }

    /// <inheritdoc/>
    public ValueTask ClearAsync(CancellationToken cancellationToken = default)
    {
        _cache.Clear();
        return ValueTask.CompletedTask;
    }

    /// <summary>How many policies the store holds.</summary>
    public int Count => _cache.Count;

    /// <inheritdoc/>
    public void Dispose() => _cache.Dispose();
}
