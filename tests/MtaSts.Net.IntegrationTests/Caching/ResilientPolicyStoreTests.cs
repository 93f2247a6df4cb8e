using System.Diagnostics;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Logging.Testing;
using MtaSts.Caching;
using MtaSts.DependencyInjection;
using MtaSts.IntegrationTests.Infrastructure;
using MtaSts.Testing;

namespace MtaSts.IntegrationTests.Caching;

/// <summary>
/// A hung (SIGSTOP) or dead (SIGKILL) redis-server behind the store must not stall lookups: store calls are bounded by
/// StoreTimeout, the breaker stops calling it, writes are queued; once Redis is back the store is used again (CACHE-11).
/// </summary>
public sealed class ResilientPolicyStoreTests : WorldTest
{
    // Under what the Redis client alone allows (5 s per command; a read and an awaited write per lookup before the
    // fix), with room for DNS and HTTPS on a loaded machine (a first fetch took 2.3 s on 2 shared cores); not a benchmark.
    // A hung store never answers: a lookup that completes at all went past it. The bound only catches a store wait far
    // beyond the configured 0.5 s (a cold lookup is DNS + HTTPS, slow on a loaded machine), not speed.
    private static readonly TimeSpan LookupBound = TimeSpan.FromSeconds(12);
    private readonly FakeLoggerProvider _logs = new();
    private readonly ILoggerFactory _loggers;

    public ResilientPolicyStoreTests() => _loggers = LoggerFactory.Create(b => b.AddProvider(_logs).SetMinimumLevel(LogLevel.Debug));

    public override async Task DisposeAsync()
    {
        _loggers.Dispose();
        _logs.Dispose();
        await base.DisposeAsync();
    }

    [Fact]
    public async Task GetPolicy_RedisHung_AnswersWithinBoundAndUsesTheStoreAfterResume()
    {
        using var redis = await LoopbackRedisServer.StartAsync();
        using var cache = TestRedis.Cache(redis);
        var redisStore = new DistributedCachePolicyStore(cache);
        (await redisStore.GetAsync("warm-up.example")).Should().BeNull("connected while Redis is up");
        using var enforcer = Enforcer(redisStore);
        await WarmUpAsync(enforcer);

        redis.Pause();
        try
        {
            await LookupsAnswerWithinBoundAsync(enforcer, "hung");
        }
        finally
        {
            redis.Resume();
        }

        BreakerOpened().Should().BeTrue("three timed-out calls open the breaker");
        (await StoreUsedAgainAsync(enforcer, redisStore)).Should().BeTrue("after SIGCONT the breaker half-opens and closes");
    }

    [Fact]
    public async Task GetPolicy_RedisDead_AnswersWithinBoundAndUsesTheStoreAfterRestart()
    {
        using var redis = await LoopbackRedisServer.StartAsync();
        using var cache = TestRedis.Cache(redis);
        var redisStore = new DistributedCachePolicyStore(cache);
        (await redisStore.GetAsync("warm-up.example")).Should().BeNull("connected while Redis is up");
        using var enforcer = Enforcer(redisStore);
        await WarmUpAsync(enforcer);

        redis.Kill();
        await LookupsAnswerWithinBoundAsync(enforcer, "dead");
        await redis.RestartAsync();

        BreakerOpened().Should().BeTrue("three failed calls open the breaker");
        (await StoreUsedAgainAsync(enforcer, redisStore)).Should().BeTrue("after the restart the client reconnects and the breaker closes");
    }

    [Fact]
    public async Task GetAsync_RedisHung_ThrowsUnavailableNotAbsent()
    {
        using var redis = await LoopbackRedisServer.StartAsync();
        using var cache = TestRedis.Cache(redis);
        var redisStore = new DistributedCachePolicyStore(cache);
        await redisStore.SetAsync(new MtaStsStoredPolicy("example.com", "1", TestWorld.EnforcePolicy, DateTimeOffset.UtcNow));
        await using var store = new ResilientPolicyStore(redisStore, TimeSpan.FromMilliseconds(300), TimeSpan.FromSeconds(1), TimeProvider.System,
            Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance);
        (await store.GetAsync("example.com"))!.RecordId.Should().Be("1");

        redis.Pause();
        try
        {
            var clock = Stopwatch.StartNew();
            var read = async () => await store.GetAsync("example.com");
            await read.Should().ThrowAsync<PolicyStoreUnavailableException>("a hung store is unknown, never a miss");
            clock.Elapsed.Should().BeLessThan(LookupBound);
        }
        finally
        {
            redis.Resume();
        }
    }

    [Fact]
    public async Task SetAsync_ReturnsAtOnceAndTheLatestWriteOfADomainWins()
    {
        var inner = new GatedStore();
        await using (var store = new ResilientPolicyStore(inner, TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(30), TimeProvider.System,
            Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance))
        {
            await store.SetAsync(Policy("a.example", "1")); // taken by the worker, blocked in the inner store
            (await Eventually.TrueAsync(() => Task.FromResult(inner.Started == 1))).Should().BeTrue();
            for (var id = 2; id <= 50; id++)
            {
                var write = store.SetAsync(Policy("a.example", id.ToString(System.Globalization.CultureInfo.InvariantCulture)));
                write.IsCompleted.Should().BeTrue("a write never waits for the store");
            }

            (await store.GetAsync("a.example"))!.RecordId.Should().Be("50", "reads see the queued write");
            store.PendingWrites.Should().Be(1, "one pending write per domain");
            inner.Gate.Release(100);
        }

        inner.Written.Select(p => p.RecordId).Should().Equal(["1", "50"], "dispose drained the queue; writes 2..49 were superseded");
    }

    [Fact]
    public async Task DisposeAsync_WriteHangs_GivesUpAfterTheDrainTimeout()
    {
        var inner = new GatedStore(); // ignores its token, like a client with its own timeouts
        var store = new ResilientPolicyStore(inner, TimeSpan.FromMinutes(1), TimeSpan.FromSeconds(30), TimeProvider.System,
            Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance, drainTimeout: TimeSpan.FromMilliseconds(300));
        await store.SetAsync(Policy("a.example", "1"));
        (await Eventually.TrueAsync(() => Task.FromResult(inner.Started == 1))).Should().BeTrue();

        var clock = Stopwatch.StartNew();
        await store.DisposeAsync();

        clock.Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(3), "shutdown waits a bounded time for queued writes");
        inner.Gate.Release(10);
    }

    [Fact]
    public async Task AddMtaSts_HungStore_LookupAnswersWithinTheConfiguredStoreTimeout()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["MtaSts:StoreTimeout"] = "00:00:00.5",
            ["MtaSts:StoreBreakDuration"] = "00:00:02",
        }).Build();
        var hung = new GatedStore { HangReads = true };
        World.Publish("example.com", "1");
        using var host = Hosting.HostingTests.Build(services =>
        {
            services.AddSingleton(hung);
            services.AddMtaSts(configuration).Configure(o =>
            {
                var template = World.Options();
                o.NameServers.Add(World.Dns.EndPoint);
                o.DnsRetries = 0;
                o.PolicyHostTrustedRoots = template.PolicyHostTrustedRoots;
                o.PolicyHostConnectCallback = template.PolicyHostConnectCallback;
            }).UseStore<GatedStore>();
        });
        await host.StartAsync();
        try
        {
            host.Services.GetRequiredService<IOptions<MtaStsOptions>>().Value.StoreTimeout.Should().Be(TimeSpan.FromMilliseconds(500));
            var clock = Stopwatch.StartNew();
            var state = await host.Services.GetRequiredService<IMtaStsEnforcer>().GetPolicyAsync("example.com").AsTask().WaitAsync(TimeSpan.FromSeconds(30));

            clock.Elapsed.Should().BeLessThan(LookupBound, "AddMtaSts wraps the registered store too");
            state.Mode.Should().Be(MtaStsMode.Enforce, "fetched while the store hangs");
        }
        finally
        {
            hung.Gate.Release(100);
            await host.StopAsync();
        }
    }

    [Fact]
    public void Create_InvalidStoreTimeout_NamesTheOption()
    {
        var create = () => MtaStsEnforcer.Create(new MtaStsOptions { StoreTimeout = TimeSpan.Zero }, store: new GatedStore());

        create.Should().Throw<ArgumentException>().WithMessage("*StoreTimeout*");
    }

    private MtaStsEnforcer Enforcer(IMtaStsPolicyStore store) => MtaStsEnforcer.Create(World.Options(o =>
    {
        o.StoreTimeout = TimeSpan.FromMilliseconds(500);
        o.StoreBreakDuration = TimeSpan.FromSeconds(1);
    }), loggerFactory: _loggers, store: store);

    // One lookup while Redis is up, so that first-use costs (JIT, the first TLS handshake) are not measured below.
    private async Task WarmUpAsync(MtaStsEnforcer enforcer)
    {
        World.Publish("warm.example", "1");
        (await enforcer.GetPolicyAsync("warm.example")).Mode.Should().Be(MtaStsMode.Enforce);
    }

    // Each lookup reads the store (a memory miss) and queues a write; DNS and HTTPS on loopback are up.
    private async Task LookupsAnswerWithinBoundAsync(MtaStsEnforcer enforcer, string label)
    {
        for (var i = 0; i < 4; i++)
        {
            var domain = $"{label}{i}.example";
            World.Publish(domain, "1");
            var clock = Stopwatch.StartNew();
            var state = await enforcer.GetPolicyAsync(domain);
            clock.Elapsed.Should().BeLessThan(LookupBound, $"lookup {i} must not wait for the Redis client's timeouts");
            state.Mode.Should().Be(MtaStsMode.Enforce);
            state.Mode.Should().Be(MtaStsMode.Enforce, "fetched while the store hangs");
        }
    }

    // A policy only Redis knows (no TXT record, no policy host): served from the store once the store is used again.
    private static async Task<bool> StoreUsedAgainAsync(MtaStsEnforcer enforcer, DistributedCachePolicyStore redisStore)
    {
        var attempt = 0;
        return await Eventually.TrueAsync(async () =>
        {
            var domain = $"stored{attempt++}.example";
            try
            {
                await redisStore.SetAsync(Policy(domain, "7"));
            }
            catch (Exception ex) when (ex is StackExchange.Redis.RedisException or TimeoutException)
            {
                return false; // the client is still reconnecting
            }

            var state = await enforcer.GetPolicyAsync(domain);
            return state.Policy is not null && state.RecordId == "7";
        }, TimeSpan.FromSeconds(15));
    }

    private bool BreakerOpened() => _logs.Collector.GetSnapshot().Any(r => r.Id.Name == "StoreBreakerOpened");

    private static MtaStsStoredPolicy Policy(string domain, string id) => new(domain, id, TestWorld.EnforcePolicy, DateTimeOffset.UtcNow);

    // A store whose writes (and, if asked, reads) wait for a gate whatever their token, recording what reached it.
    private sealed class GatedStore : IMtaStsPolicyStore
    {
        private int _started;

        public SemaphoreSlim Gate { get; } = new(0);

        public List<MtaStsStoredPolicy> Written { get; } = [];

        public int Started => Volatile.Read(ref _started);

        public bool HangReads { get; init; }

        public async ValueTask SetAsync(MtaStsStoredPolicy policy, CancellationToken cancellationToken = default)
        {
            Interlocked.Increment(ref _started);
            await Gate.WaitAsync(CancellationToken.None);
            lock (Written)
            {
                Written.Add(policy);
            }
        }

        public async ValueTask<MtaStsStoredPolicy?> GetAsync(string domain, CancellationToken cancellationToken = default)
        {
            if (HangReads)
            {
                await Gate.WaitAsync(CancellationToken.None);
            }

            return null;
        }

        public ValueTask RemoveAsync(string domain, CancellationToken cancellationToken = default) => ValueTask.CompletedTask;

        public ValueTask ClearAsync(CancellationToken cancellationToken = default) => ValueTask.CompletedTask;
    }
}
