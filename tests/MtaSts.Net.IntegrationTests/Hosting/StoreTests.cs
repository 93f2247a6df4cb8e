using System.Net.Security;
using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.Caching.StackExchangeRedis;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using MtaSts.Caching;
using MtaSts.DependencyInjection;
using MtaSts.IntegrationTests.Infrastructure;
using MtaSts.Testing;

namespace MtaSts.IntegrationTests.Hosting;

/// <summary>The policy stores: memory (bounded), file (atomic, corruption-tolerant), Redis through IDistributedCache; and restarts.</summary>
public sealed class StoreTests : IAsyncLifetime
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "mtasts-store-" + Guid.NewGuid().ToString("N"));
    private TestWorld _world = null!;

    public async Task InitializeAsync() => _world = await TestWorld.StartAsync();

    public async Task DisposeAsync()
    {
        await _world.DisposeAsync();
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    [Fact]
    public async Task FileStore_RoundTripsAndClears()
    {
        var store = new FilePolicyStore(_directory);
        var policy = new MtaStsStoredPolicy("example.com", "1", TestWorld.EnforcePolicy, DateTimeOffset.UtcNow);

        await store.SetAsync(policy);
        (await store.GetAsync("example.com")).Should().Be(policy);
        (await store.GetAsync("other.example")).Should().BeNull();

        await store.ClearAsync();
        (await store.GetAsync("example.com")).Should().BeNull();
    }

    [Fact]
    public async Task FileStore_CrashMidWrite_LeavesThePreviousPolicy()
    {
        var store = new FilePolicyStore(_directory);
        var first = new MtaStsStoredPolicy("example.com", "1", TestWorld.EnforcePolicy, DateTimeOffset.UtcNow);
        await store.SetAsync(first);

        // What a crash between the write and the rename leaves behind: a half-written temporary file.
        await File.WriteAllTextAsync(Path.Combine(_directory, ".example.com.mtasts.json.0123.tmp"), "{\"domain\":\"example.com\",\"recordId\":\"2\",\"pol");

        (await store.GetAsync("example.com")).Should().Be(first);
        Directory.GetFiles(_directory).Should().HaveCount(2, "no write of ours leaves a temporary file, and the stale one is ignored");
    }

    [Theory]
    [InlineData("{ not json")]
    [InlineData("")]
    [InlineData("{\"domain\":\"other.example\",\"recordId\":\"1\",\"policyText\":\"x\",\"fetchedAt\":\"2026-01-01T00:00:00Z\"}")]
    public async Task FileStore_CorruptFile_SkippedNotThrown(string content)
    {
        Directory.CreateDirectory(_directory);
        await File.WriteAllTextAsync(Path.Combine(_directory, "example.com.mtasts.json"), content);
        (await new FilePolicyStore(_directory).GetAsync("example.com")).Should().BeNull();
    }

    [Fact]
    public async Task FileStore_CorruptFile_EnforcerStillWorks()
    {
        Directory.CreateDirectory(_directory);
        await File.WriteAllTextAsync(Path.Combine(_directory, "example.com.mtasts.json"), "garbage");
        _world.Publish("example.com", "1");
        using var enforcer = MtaStsEnforcer.Create(_world.Options(), store: new FilePolicyStore(_directory));

        var state = await enforcer.GetPolicyAsync("example.com");

        state.Mode.Should().Be(MtaStsMode.Enforce, "fetched: the corrupt file is not a policy");
        (await Eventually.TrueAsync(async () => (await new FilePolicyStore(_directory).GetAsync("example.com"))?.RecordId == "1"))
            .Should().BeTrue("the fetched policy replaced the corrupt file (written in the background)");
    }

    [Fact]
    public async Task Restart_FileStore_CachedEnforceStillRefusesStrippedStartTls()
    {
        await RestartAsync(builder => builder.UseFileStore(_directory), _ => { });
    }

    [Fact]
    public async Task Restart_RedisStore_CachedEnforceStillRefusesStrippedStartTls()
    {
        using var redis = await LoopbackRedisServer.StartAsync();
        await RestartAsync(builder => builder.UseDistributedCacheStore(), services => services.AddStackExchangeRedisCache(o => o.Configuration = redis.Configuration));
    }

    [Fact]
    public async Task RedisStore_SharedByTwoSenders_AndCleared()
    {
        using var redis = await LoopbackRedisServer.StartAsync();
        _world.Publish("example.com", "1");
        using var first = Sender(b => b.UseDistributedCacheStore(), s => s.AddStackExchangeRedisCache(o => o.Configuration = redis.Configuration), reachable: true);
        using var second = Sender(b => b.UseDistributedCacheStore(), s => s.AddStackExchangeRedisCache(o => o.Configuration = redis.Configuration), reachable: false);

        await first.Services.GetRequiredService<IMtaStsEnforcer>().GetPolicyAsync("example.com");
        var store = second.Services.GetRequiredService<IMtaStsPolicyStore>();
        (await Eventually.TrueAsync(async () => await store.GetAsync("example.com") is not null)).Should().BeTrue("the first sender's write lands in Redis");
        var shared = await second.Services.GetRequiredService<IMtaStsEnforcer>().GetPolicyAsync("example.com");

        shared.Mode.Should().Be(MtaStsMode.Enforce, "the second sender never reached DNS or HTTPS: the policy came through Redis");
        (await store.GetAsync("example.com"))!.RecordId.Should().Be("1");
        await first.Services.GetRequiredService<MtaStsEnforcer>().InvalidateAllAsync();
        (await store.GetAsync("example.com")).Should().BeNull("purge-all reaches the shared store");
    }

    [Fact]
    public async Task InvalidateOneDomain_RemovesItFromTheStore()
    {
        _world.Publish("example.com", "1");
        _world.Publish("example.org", "1");
        var store = new FilePolicyStore(_directory);
        using var enforcer = MtaStsEnforcer.Create(_world.Options(), store: store);
        await enforcer.GetPolicyAsync("example.com");
        await enforcer.GetPolicyAsync("example.org");
        (await Eventually.TrueAsync(async () => await store.GetAsync("example.com") is not null && await store.GetAsync("example.org") is not null))
            .Should().BeTrue("both policies are written in the background");

        IMtaStsEnforcer seam = enforcer; // the interface a DI user holds
        await seam.InvalidateAsync("Example.COM");

        (await Eventually.TrueAsync(async () => await store.GetAsync("example.com") is null)).Should().BeTrue("the removal reaches the store");
        (await store.GetAsync("example.org"))!.RecordId.Should().Be("1");
        (await enforcer.GetPolicyAsync("example.com")).Mode.Should().Be(MtaStsMode.Enforce, "fetched afresh");
    }

    // Process A caches an enforce policy; process B, with DNS and HTTPS unreachable, still refuses a stripped session.
    private async Task RestartAsync(Action<IMtaStsBuilder> store, Action<IServiceCollection> services)
    {
        _world.Publish("example.com", "1");
        using (var a = Sender(store, services, reachable: true))
        {
            await a.StartAsync();
            (await a.Services.GetRequiredService<IMtaStsEnforcer>().GetPolicyAsync("example.com")).Mode.Should().Be(MtaStsMode.Enforce);
            await a.StopAsync();
        }

        using var b = Sender(store, services, reachable: false);
        await b.StartAsync();
        var enforcer = b.Services.GetRequiredService<IMtaStsEnforcer>();
        var state = await enforcer.GetPolicyAsync("example.com");

        // Until the store answers (a first Redis connection can outlast StoreTimeout on a loaded machine) the domain is
        // unknown, never absent: every answer meanwhile fails closed, and the stored policy applies once it is read.
        var watch = System.Diagnostics.Stopwatch.StartNew();
        while (state.Policy is null && watch.Elapsed < TimeSpan.FromSeconds(30))
        {
            state.IsFailClosed.Should().BeTrue("a store not yet read is unknown, not absent: " + state);
            await Task.Delay(250);
            state = await enforcer.GetPolicyAsync("example.com");
        }

        state.Mode.Should().Be(MtaStsMode.Enforce, "CACHE-11 the policy survived the restart");
        state.DiscoveryFailure!.ReasonCode.Should().Be("dns-error", "DNS was unreachable for process B");
        state.EvaluateTls("mail.example.com", startTlsOffered: false, null, null, SslPolicyErrors.None).Verdict.Should().Be(MtaStsVerdict.FailClosed);
        await b.StopAsync();
    }

    private IHost Sender(Action<IMtaStsBuilder> store, Action<IServiceCollection> services, bool reachable) =>
        HostingTests.Build(s =>
        {
            services(s);
            var builder = s.AddMtaSts(o =>
            {
                var template = _world.Options();
                o.PolicyHostTrustedRoots = template.PolicyHostTrustedRoots;
                o.DnsRetries = 0;
                o.DnsTimeout = TimeSpan.FromMilliseconds(500);
                if (reachable)
                {
                    o.NameServers.Add(_world.Dns.EndPoint);
                    o.PolicyHostConnectCallback = template.PolicyHostConnectCallback;
                }
                else
                {
                    o.NameServers.Add(new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, LoopbackPorts.FreePort(System.Net.IPAddress.Loopback)));
                    o.PolicyHostConnectCallback = (_, _) => throw new HttpRequestException("unreachable");
                }
            });
            store(builder);
        });
}
