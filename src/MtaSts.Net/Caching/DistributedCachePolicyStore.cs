using System.Text.Json;
using Microsoft.Extensions.Caching.Distributed;

namespace MtaSts.Caching;

/// <summary>
/// A store over <see cref="IDistributedCache"/> (Redis through Microsoft.Extensions.Caching.StackExchangeRedis, SQL
/// Server, …), so a fleet of senders shares the policies one of them fetched. Entries expire with their policy.
/// </summary>
/// <remarks>
/// Purging works without enumerating the cache: policy keys carry a generation read from one key, and
/// <see cref="ClearAsync"/> writes a new random generation, so every older key becomes unreachable to every node at
/// once (and expires with its policy). A write is one key of constant size; nothing is read-modified-written.
/// </remarks>
internal sealed class DistributedCachePolicyStore : IMtaStsPolicyStore
{
    private const string Prefix = "mtasts:policy:";
    private const string GenerationKey = "mtasts:gen";
    private const string LegacyIndexKey = "mtasts:index";
    private readonly IDistributedCache _cache;

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
        var bytes = await _cache.GetAsync(await KeyOfAsync(domain, cancellationToken).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);
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
            options.AbsoluteExpiration = policy.FetchedAt + parsed!.MaxAge + TimeSpan.FromSeconds(1); // CACHE-1
        }

        var key = await KeyOfAsync(policy.Domain, cancellationToken).ConfigureAwait(false);
        await _cache.SetAsync(key, bytes, options, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public async ValueTask RemoveAsync(string domain, CancellationToken cancellationToken = default) =>
        await _cache.RemoveAsync(await KeyOfAsync(domain, cancellationToken).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);

    /// <inheritdoc/>
    public async ValueTask ClearAsync(CancellationToken cancellationToken = default)
    {
        await _cache.SetStringAsync(GenerationKey, Guid.NewGuid().ToString("N"), cancellationToken).ConfigureAwait(false);
        await _cache.RemoveAsync(LegacyIndexKey, cancellationToken).ConfigureAwait(false); // left by versions with an index
    }

    // Read on every call (reads happen only on a memory miss, writes once per fetch), so a purge by one node is seen
    // by all at once. No generation yet (never purged): the key of versions before generations, whose entries stay valid.
    private async Task<string> KeyOfAsync(string domain, CancellationToken cancellationToken)
    {
        var generation = await _cache.GetStringAsync(GenerationKey, cancellationToken).ConfigureAwait(false);
        return string.IsNullOrEmpty(generation) ? Prefix + domain : $"{Prefix}{generation}:{domain}";
    }
}
