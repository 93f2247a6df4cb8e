using Microsoft.Extensions.Caching.Distributed;
using MtaSts.Caching;
using MtaSts.IntegrationTests.Infrastructure;
using MtaSts.Testing;

namespace MtaSts.IntegrationTests.Caching;

/// <summary>The Redis store purges for every node without an index: no lost entries, O(1) writes (CACHE-10, CACHE-11).</summary>
public sealed class DistributedCachePolicyStoreTests
{
    [Fact]
    public async Task ClearAsync_After2000ConcurrentWritesFromTwoNodes_PurgesEveryPolicyForBothNodes()
    {
        using var redis = await LoopbackRedisServer.StartAsync();
        using var cacheA = TestRedis.Cache(redis);
        using var cacheB = TestRedis.Cache(redis);
        DistributedCachePolicyStore[] nodes = [new(cacheA), new(cacheB)];
        var domains = Enumerable.Range(0, 2000).Select(i => $"d{i}.example").ToList();

        await Task.WhenAll(domains.Select((d, i) => nodes[i % 2].SetAsync(Policy(d)).AsTask()));
        (await Task.WhenAll(domains.Select(d => nodes[1].GetAsync(d).AsTask()))).Should().OnlyContain(p => p != null, "every write landed");

        await nodes[0].ClearAsync();

        foreach (var node in nodes)
        {
            var left = (await Task.WhenAll(domains.Select(d => node.GetAsync(d).AsTask()))).Count(p => p is not null);
            left.Should().Be(0, "a purge reaches every policy written by every node");
        }
    }

    [Fact]
    public async Task SetAsync_WriteSizeDoesNotGrowWithTheNumberOfDomains()
    {
        using var redis = await LoopbackRedisServer.StartAsync();
        using var cache = TestRedis.Cache(redis);
        var counting = new CountingCache(cache);
        var store = new DistributedCachePolicyStore(counting);

        var sizes = new List<long>();
        for (var i = 0; i < 300; i++)
        {
            var before = counting.BytesWritten;
            await store.SetAsync(Policy($"d{i:000}.example"));
            sizes.Add(counting.BytesWritten - before);
        }

        sizes.Distinct().Should().ContainSingle("the 300th write is the size of the first: no index rewritten");
    }

    [Fact]
    public async Task ClearAsync_LaterWritesAreReadable()
    {
        using var redis = await LoopbackRedisServer.StartAsync();
        using var cache = TestRedis.Cache(redis);
        var store = new DistributedCachePolicyStore(cache);
        await store.SetAsync(Policy("example.com"));

        await store.ClearAsync();
        await store.SetAsync(Policy("example.org"));

        (await store.GetAsync("example.com")).Should().BeNull();
        (await store.GetAsync("example.org"))!.Domain.Should().Be("example.org", "writes after a purge land in the new generation");
    }

    // One fetch time for all, so that every serialised policy has the same length.
    private static readonly DateTimeOffset FetchedAt = DateTimeOffset.UtcNow;

    private static MtaStsStoredPolicy Policy(string domain) => new(domain, "1", TestWorld.EnforcePolicy, FetchedAt);

    // Counts the bytes each write sends (keys and values).
    private sealed class CountingCache(IDistributedCache inner) : IDistributedCache
    {
        private long _bytes;

        public long BytesWritten => Interlocked.Read(ref _bytes);

        public byte[]? Get(string key) => inner.Get(key);

        public Task<byte[]?> GetAsync(string key, CancellationToken token = default) => inner.GetAsync(key, token);

        public void Set(string key, byte[] value, DistributedCacheEntryOptions options)
        {
            Count(key, value);
            inner.Set(key, value, options);
        }

        public Task SetAsync(string key, byte[] value, DistributedCacheEntryOptions options, CancellationToken token = default)
        {
            Count(key, value);
            return inner.SetAsync(key, value, options, token);
        }

        public void Refresh(string key) => inner.Refresh(key);

        public Task RefreshAsync(string key, CancellationToken token = default) => inner.RefreshAsync(key, token);

        public void Remove(string key) => inner.Remove(key);

        public Task RemoveAsync(string key, CancellationToken token = default) => inner.RemoveAsync(key, token);

        private void Count(string key, byte[] value) =>
            Interlocked.Add(ref _bytes, System.Text.Encoding.UTF8.GetByteCount(key) + value.Length);
    }
}
