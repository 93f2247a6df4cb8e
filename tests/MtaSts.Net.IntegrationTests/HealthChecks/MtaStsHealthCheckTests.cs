using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using MtaSts.DependencyInjection;
using MtaSts.HealthChecks;
using MtaSts.Health;
using MtaSts.IntegrationTests.Hosting;
using MtaSts.IntegrationTests.Infrastructure;
using MtaSts.Reporting;
using MtaSts.Testing;

namespace MtaSts.IntegrationTests.HealthChecks;

/// <summary>AddMtaStsHealthChecks() against the real file store, a real redis-server and the loopback DNS/HTTPS world.</summary>
public sealed class MtaStsHealthCheckTests : WorldTest
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), $"mtasts-health-{Guid.NewGuid():N}");

    public override async Task DisposeAsync()
    {
        if (File.Exists(_directory))
        {
            File.Delete(_directory);
        }
        else if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }

        await base.DisposeAsync();
    }

    [Fact]
    public async Task FileStore_Writable_Healthy_ThenUnwritable_Degraded()
    {
        using var host = Build(b => b.UseFileStore(_directory));
        (await CheckAsync(host)).Status.Should().Be(HealthStatus.Healthy, "the store answers the probe and nothing failed");

        Directory.Delete(_directory, recursive: true);
        File.WriteAllText(_directory, "not a directory"); // writes now fail, reads find nothing
        World.Publish("example.com", "1");
        (await host.Services.GetRequiredService<IMtaStsEnforcer>().GetPolicyAsync("example.com")).Mode.Should().Be(MtaStsMode.Enforce);

        (await Eventually.TrueAsync(async () => (await CheckAsync(host)).Status == HealthStatus.Degraded))
            .Should().BeTrue("the background write of the fetched policy failed");
        (await CheckAsync(host)).Description.Should().Contain("cannot be written");
    }

    [Fact]
    public async Task RedisStore_Up_Healthy_ThenKilled_Degraded()
    {
        using var redis = await LoopbackRedisServer.StartAsync();
        using var host = Build(b => b.UseDistributedCacheStore(), s => s.AddStackExchangeRedisCache(o => TestRedis.Configure(o, redis)));
        (await Eventually.TrueAsync(async () => (await CheckAsync(host)).Status == HealthStatus.Healthy, TimeSpan.FromSeconds(20)))
            .Should().BeTrue("a running redis-server answers the probe");

        redis.Kill();
        var report = await CheckAsync(host);
        report.Status.Should().Be(HealthStatus.Degraded, "the store answered once since start, so it is down now, not unreachable since start: " + report.Description);
        report.Description.Should().Contain("policy store fails");
    }

    [Fact]
    public async Task RedisStore_UnreachableAtStart_Unhealthy()
    {
        var nothingListens = LoopbackPorts.FreePort(System.Net.IPAddress.Loopback);
        using var host = Build(b => b.UseDistributedCacheStore(), s => s.AddStackExchangeRedisCache(o =>
            o.ConfigurationOptions = new StackExchange.Redis.ConfigurationOptions { EndPoints = { $"127.0.0.1:{nothingListens}" }, AbortOnConnectFail = false, ConnectTimeout = 500 }));

        var report = await CheckAsync(host);

        report.Status.Should().Be(HealthStatus.Unhealthy, report.Description);
        report.Description.Should().Contain("has not answered since start");
    }

    [Fact]
    public async Task MemoryStore_NothingFailed_Healthy()
    {
        using var host = Build(_ => { });
        var report = await CheckAsync(host);
        report.Status.Should().Be(HealthStatus.Healthy, report.Description);
    }

    [Fact]
    public async Task EnforceRefresh_FailsTwice_Degraded_ThenRecovers()
    {
        using var host = Build(b => b.AddPolicyRefresher(), s => s.AddSingleton<TimeProvider>(World.Time));
        var refresher = host.Services.GetServices<IHostedService>().OfType<MtaStsPolicyRefresher>().Single();
        World.Publish("example.com", "1", TestWorld.EnforcePolicy.Replace("86400", "604800", StringComparison.Ordinal));
        await host.Services.GetRequiredService<IMtaStsEnforcer>().GetPolicyAsync("example.com");
        World.Https.Serve("mta-sts.example.com", context =>
        {
            context.Response.StatusCode = 500;
            return Task.CompletedTask;
        });

        World.Time.Advance(TimeSpan.FromDays(1.1));
        await refresher.RefreshDueAsync(default);
        (await CheckAsync(host)).Status.Should().Be(HealthStatus.Healthy, "one failed refresh of a policy far from expiry is a blip");

        World.Time.Advance(TimeSpan.FromHours(2)); // past the first back-off (1 h)
        await refresher.RefreshDueAsync(default);
        var report = await CheckAsync(host);
        report.Status.Should().Be(HealthStatus.Degraded, "two refreshes of an enforce policy failed in a row");
        report.Description.Should().Contain("example.com (2x");

        World.Publish("example.com", "1", TestWorld.EnforcePolicy.Replace("86400", "604800", StringComparison.Ordinal));
        World.Time.Advance(TimeSpan.FromHours(3)); // past the second back-off (2 h)
        await refresher.RefreshDueAsync(default);
        (await CheckAsync(host)).Status.Should().Be(HealthStatus.Healthy, "the refresh succeeded again");
    }

    [Fact]
    public async Task EnforceRefresh_FailsOnceNearExpiry_Degraded()
    {
        using var host = Build(b => b.AddPolicyRefresher(), s => s.AddSingleton<TimeProvider>(World.Time));
        var refresher = host.Services.GetServices<IHostedService>().OfType<MtaStsPolicyRefresher>().Single();
        World.Publish("example.com", "1"); // max_age one day: refreshed at half of it, then within a day of expiry
        await host.Services.GetRequiredService<IMtaStsEnforcer>().GetPolicyAsync("example.com");
        World.Https.Serve("mta-sts.example.com", context =>
        {
            context.Response.StatusCode = 404;
            return Task.CompletedTask;
        });

        World.Time.Advance(TimeSpan.FromHours(13));
        await refresher.RefreshDueAsync(default);

        var report = await CheckAsync(host);
        report.Status.Should().Be(HealthStatus.Degraded, "the refresh failed and the enforce policy expires in 11 hours");
        report.Data["refresh.failing"].Should().Be(1);
    }

    [Fact]
    public async Task TlsRptDeliveries_KeepFailing_Degraded_UntilOneIsDelivered()
    {
        using var host = Build(_ => { });
        var status = host.Services.GetRequiredService<MtaStsHealthStatus>();

        status.ReportAttempted(new TlsRptDeliveryOutcome("example.com", "r1", TlsRptDeliveryStatus.Failed, "https://example.com/r: 503"));
        (await CheckAsync(host)).Status.Should().Be(HealthStatus.Healthy, "one failure is below the threshold of 2");
        status.ReportAttempted(new TlsRptDeliveryOutcome("example.org", "r2", TlsRptDeliveryStatus.Failed, "mailto: refused"));
        var report = await CheckAsync(host);
        report.Status.Should().Be(HealthStatus.Degraded);
        report.Description.Should().Contain("2 TLS-RPT deliveries failed in a row").And.Contain("example.org: mailto: refused");

        status.ReportAttempted(new TlsRptDeliveryOutcome("example.net", "r3", TlsRptDeliveryStatus.Delivered, "https://example.net/r"));
        (await CheckAsync(host)).Status.Should().Be(HealthStatus.Healthy);
    }

    [Fact]
    public async Task StoreHangs_EndpointPolled_OneReadInFlightAndEachCheckSaysWhy()
    {
        var store = new HangingStore();
        using var host = Build(b => b.UseStore<HangingStore>(), s => s
            .AddSingleton(store)
            .Configure<MtaStsHealthCheckOptions>(MtaStsHealthChecksBuilderExtensions.DefaultName, o => o.StoreProbeTimeout = TimeSpan.FromMilliseconds(200)));

        var concurrent = await Task.WhenAll(Enumerable.Range(0, 10).Select(_ => CheckAsync(host))); // polls arriving together
        List<HealthReportEntry> later = [];
        for (var poll = 0; poll < 5; poll++)
        {
            later.Add(await CheckAsync(host)); // and one after another, while the first read still hangs
        }

        store.ProbeReads.Should().Be(1, "a check arriving while the store read runs waits for that read instead of starting another");
        concurrent.Concat(later).Should().OnlyContain(r => r.Status == HealthStatus.Unhealthy, "the store has not answered since start");
        later[^1].Description.Should().Contain("no answer within 0.2 s").And.Contain("health probe's read has been waiting");

        store.Answer(); // the store comes back: the hung read completes
        (await Eventually.TrueAsync(async () => (await CheckAsync(host)).Status == HealthStatus.Healthy)).Should().BeTrue("the read answered");
        var reads = store.ProbeReads;
        (await CheckAsync(host)).Status.Should().Be(HealthStatus.Healthy);
        store.ProbeReads.Should().Be(reads + 1, "once the read completed, the next check starts a new one");
    }

    private IHost Build(Action<IMtaStsBuilder> store, Action<IServiceCollection>? services = null) =>
        HostingTests.Build(s =>
        {
            services?.Invoke(s);
            store(s.AddMtaSts(o =>
            {
                var template = World.Options();
                o.NameServers.Add(World.Dns.EndPoint);
                o.DnsRetries = 0;
                o.FetchRetries = 0;
                o.PolicyHostTrustedRoots = template.PolicyHostTrustedRoots;
                o.PolicyHostConnectCallback = template.PolicyHostConnectCallback;
            }));
            s.AddHealthChecks().AddMtaStsHealthChecks();
        });

    private static async Task<HealthReportEntry> CheckAsync(IHost host) =>
        (await host.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync()).Entries["mta-sts"];

    /// <summary>A store whose reads hang, ignoring their token, until <see cref="Answer"/> (a unit seam: Redis stuck mid-reply).</summary>
    private sealed class HangingStore : MtaSts.Caching.IMtaStsPolicyStore
    {
        private readonly TaskCompletionSource _answer = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _probeReads;

        public int ProbeReads => Volatile.Read(ref _probeReads);

        public void Answer() => _answer.TrySetResult();

        public async ValueTask<MtaSts.Caching.MtaStsStoredPolicy?> GetAsync(string domain, CancellationToken cancellationToken = default)
        {
            if (domain == "mtasts-health-probe.invalid")
            {
                Interlocked.Increment(ref _probeReads);
            }

            await _answer.Task;
            return null;
        }

        public ValueTask SetAsync(MtaSts.Caching.MtaStsStoredPolicy policy, CancellationToken cancellationToken = default) => ValueTask.CompletedTask;

        public ValueTask RemoveAsync(string domain, CancellationToken cancellationToken = default) => ValueTask.CompletedTask;

        public ValueTask ClearAsync(CancellationToken cancellationToken = default) => ValueTask.CompletedTask;
    }
}
