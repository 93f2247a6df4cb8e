using System.Text.Json;
using Microsoft.Extensions.Caching.Distributed;

namespace MtaSts.Caching;

/// <summary>
/// A store over <see cref="IDistributedCache"/> (Redis through Microsoft.Extensions.Caching.StackExchangeRedis, SQL
/// Server, …), so a fleet of senders shares the policies one of them fetched. Entries expire with their policy.
/// </summary>
public sealed class DistributedCachePolicyStore : IMtaStsPolicyStore
{
    private const string Prefix = "mtasts:policy:";
    private const string IndexKey = "mtasts:index";
    private const string StatePrefix = "mtasts:state:";
    private readonly IDistributedCache _cache;
    private readonly Lock _indexLock = new();

    /// <summary>Creates a store over <paramref name="cache"/>.</summary>
    /// <param name="cache">The distributed cache.</param>
    /// <exception cref="ArgumentNullException"><paramref name="cache"/> is null.</exception>
    public DistributedCachePolicyStore(IDistributedCache cache)
    {
        ArgumentNullException.ThrowIfNull(cache);
        _cache = cache;
    }

    /// <inheritdoc/>
    public async ValueTask<MtaStsStoredPolicy?> GetAsync(string domain, CancellationToken cancellationToken = default)
    {
        var bytes = await _cache.GetAsync(Prefix + domain, cancellationToken).ConfigureAwait(false);
        if (bytes is null)
        {
            return null;
        }

        try
        {
            var policy = JsonSerializer.Deserialize(bytes, StoredPolicyJsonContext.Default.MtaStsStoredPolicy);
            return policy is not null && string.Equals(policy.Domain, domain, StringComparison.Ordinal) ? policy : null;
        }
        catch (JsonException)
        {
            return null; // a corrupt entry is a miss
        }
    }

    /// <inheritdoc/>
    public async ValueTask SetAsync(MtaStsStoredPolicy policy, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(policy);
        var bytes = JsonSerializer.SerializeToUtf8Bytes(policy, StoredPolicyJsonContext.Default.MtaStsStoredPolicy);
        var options = new DistributedCacheEntryOptions();
        if (MtaStsPolicy.TryParse(policy.PolicyText, MtaStsParsingMode.Lenient, out var parsed, out _))
        {
            options.AbsoluteExpiration = policy.FetchedAt + parsed!.MaxAge + TimeSpan.FromSeconds(1);
        }

        await _cache.SetAsync(Prefix + policy.Domain, bytes, options, cancellationToken).ConfigureAwait(false);
        await UpdateIndexAsync(index => index.Add(policy.Domain), cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public async ValueTask RemoveAsync(string domain, CancellationToken cancellationToken = default)
    {
        await _cache.RemoveAsync(Prefix + domain, cancellationToken).ConfigureAwait(false);
        await UpdateIndexAsync(index => index.Remove(domain), cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public async ValueTask ClearAsync(CancellationToken cancellationToken = default)
    {
        foreach (var domain in await ReadIndexAsync(cancellationToken).ConfigureAwait(false))
        {
            await _cache.RemoveAsync(Prefix + domain, cancellationToken).ConfigureAwait(false);
        }

        await _cache.RemoveAsync(IndexKey, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public async ValueTask<string?> GetStateAsync(string key, CancellationToken cancellationToken = default) =>
        await _cache.GetStringAsync(StatePrefix + key, cancellationToken).ConfigureAwait(false);

    /// <inheritdoc/>
    public async ValueTask SetStateAsync(string key, string value, CancellationToken cancellationToken = default) =>
        await _cache.SetStringAsync(StatePrefix + key, value, cancellationToken).ConfigureAwait(false);

    // The index of stored domains makes ClearAsync possible over a cache that cannot be enumerated. Best effort: two
    // nodes writing at once may drop a name from it, never a policy.
    private async Task UpdateIndexAsync(Func<HashSet<string>, bool> change, CancellationToken cancellationToken)
    {
        var index = await ReadIndexAsync(cancellationToken).ConfigureAwait(false);
        bool changed;
        lock (_indexLock)
        {
            changed = change(index);
        }

        if (changed)
        {
            await _cache.SetStringAsync(IndexKey, string.Join('\n', index), cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task<HashSet<string>> ReadIndexAsync(CancellationToken cancellationToken)
    {
        var text = await _cache.GetStringAsync(IndexKey, cancellationToken).ConfigureAwait(false);
        return new HashSet<string>((text ?? string.Empty).Split('\n', StringSplitOptions.RemoveEmptyEntries), StringComparer.Ordinal);
    }
}
