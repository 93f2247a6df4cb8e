using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Options;
using MtaSts.DependencyInjection;
using MtaSts.IntegrationTests.Infrastructure;

namespace MtaSts.IntegrationTests.Hosting;

/// <summary>Proactive refresh (CACHE-6) and its warnings (CACHE-7), on a fake clock against the loopback servers.</summary>
public sealed class RefresherTests : IAsyncLifetime
{
    private const string Host = "mta-sts.example.com";
    private readonly FakeLoggerProvider _logs = new();
    private TestWorld _world = null!;
    private ILoggerFactory _loggerFactory = null!;
    private MtaStsEnforcer _enforcer = null!;
    private MtaStsPolicyRefresher _refresher = null!;

    public async Task InitializeAsync()
    {
        _world = await TestWorld.StartAsync();
        _loggerFactory = LoggerFactory.Create(b => b.AddProvider(_logs).SetMinimumLevel(LogLevel.Debug));
        _enforcer = MtaStsEnforcer.Create(_world.Options(), _world.Time, _loggerFactory);
        _refresher = Refresher(new MtaStsRefreshOptions());
    }

    public async Task DisposeAsync()
    {
        _refresher.Dispose();
        _enforcer.Dispose();
        _loggerFactory.Dispose();
        _logs.Dispose();
        await _world.DisposeAsync();
    }

    [Fact]
    public async Task Refresh_AfterADay_FetchesAgainEvenWithTheSameId()
    {
        _world.Publish("example.com", "1", TestWorld.EnforcePolicy.Replace("86400", "604800", StringComparison.Ordinal));
        var before = await _enforcer.GetPolicyAsync("example.com");

        _world.Time.Advance(TimeSpan.FromHours(1));
        await _refresher.RefreshDueAsync(default);
        _world.Https.RequestCount(Host).Should().Be(1, "not due yet");

        _world.Time.Advance(TimeSpan.FromHours(24));
        await _refresher.RefreshDueAsync(default);

        _world.Https.RequestCount(Host).Should().Be(2, "CACHE-6 refetched although the TXT id did not change");
        var after = await _enforcer.GetPolicyAsync("example.com");
        after.FetchedAt.Should().BeAfter(before.FetchedAt!.Value, "a refresh resets the fetch time");
    }

    [Fact]
    public async Task Refresh_AtHalfMaxAge()
    {
        _world.Publish("example.com", "1", TestWorld.EnforcePolicy.Replace("86400", "3600", StringComparison.Ordinal));
        await _enforcer.GetPolicyAsync("example.com");

        _world.Time.Advance(TimeSpan.FromMinutes(31));
        await _refresher.RefreshDueAsync(default);

        _world.Https.RequestCount(Host).Should().Be(2, "half of max_age has passed");
    }

    [Fact]
    public async Task Refresh_Failing_KeepsThePolicyAndWarnsEachTime()
    {
        _world.Publish("example.com", "1", TestWorld.EnforcePolicy.Replace("86400", "2592000", StringComparison.Ordinal)); // 30 days
        await _enforcer.GetPolicyAsync("example.com");
        _world.Https.Serve(Host, context => { context.Response.StatusCode = 500; return Task.CompletedTask; });

        for (var day = 1; day <= 2; day++)
        {
            _world.Time.Advance(TimeSpan.FromHours(25));
            await _refresher.RefreshDueAsync(default);
        }

        (await _enforcer.GetPolicyAsync("example.com")).Mode.Should().Be(MtaStsMode.Enforce, "a failed refresh never replaces the policy");
        var warnings = RefresherLogs().Where(r => r.Level >= LogLevel.Warning).ToList();
        warnings.Should().HaveCount(2, "one summary per pass");
        warnings.Should().OnlyContain(r => r.Id.Name == "RefreshPass");
        warnings[1].Message.Should().Contain("example.com (2x)", "CACHE-7 repeated failures are counted, long before the 30-day expiry");
        _logs.Collector.GetSnapshot().Where(r => r.Id.Name == "RefreshFailed").Should().OnlyContain(r => r.Level == LogLevel.Debug);
    }

    [Fact]
    public async Task Refresh_FailingForModeNone_LogsNothing()
    {
        _world.Publish("example.com", "1", "version: STSv1\nmode: none\nmax_age: 2592000\n");
        await _enforcer.GetPolicyAsync("example.com");
        _world.Https.Serve(Host, context => { context.Response.StatusCode = 500; return Task.CompletedTask; });

        _world.Time.Advance(TimeSpan.FromHours(25));
        await _refresher.RefreshDueAsync(default);

        _world.Https.RequestCount(Host).Should().Be(2, "the refresh was tried");
        _logs.Collector.GetSnapshot().Where(r => r.Level >= LogLevel.Warning).Should().BeEmpty("CACHE-7, FLOW-4: nothing for mode none");
    }

    [Fact]
    public async Task Refresh_HostsDown_BacksOffEachDomainExponentially()
    {
        const int Domains = 10;
        for (var i = 0; i < Domains; i++)
        {
            _world.Publish($"d{i}.example", "1", TestWorld.EnforcePolicy.Replace("86400", "2592000", StringComparison.Ordinal)); // 30 days
            await _enforcer.GetPolicyAsync($"d{i}.example");
            _world.Https.Serve($"mta-sts.d{i}.example", context => { context.Response.StatusCode = 503; return Task.CompletedTask; });
        }

        // Sixteen hourly passes once the policies are due: tries after 0, 1, 3, 7 and 15 hours (back-off 1 h, doubling).
        _world.Time.Advance(TimeSpan.FromHours(25));
        for (var pass = 0; pass < 16; pass++)
        {
            await _refresher.RefreshDueAsync(default);
            _world.Time.Advance(TimeSpan.FromHours(1));
        }

        _world.Https.TotalRequests.Should().Be(Domains * (1 + 5), "one fetch each, then 5 refresh tries each instead of 16");
        var passes = _logs.Collector.GetSnapshot().Where(r => r.Id.Name == "RefreshPass").ToList();
        passes.Should().HaveCount(16, "one summary per pass");
        passes.Count(r => r.Level == LogLevel.Warning).Should().Be(5, "a warning only for passes where refreshes failed");
        passes[1].Message.Should().Contain($"0 refreshed, {Domains} failed, 0 skipped");
        passes[2].Message.Should().Contain($"0 refreshed, 0 failed, {Domains} skipped for back-off");
        RefresherLogs().Count(r => r.Level >= LogLevel.Warning).Should().Be(5, "no per-domain warnings: 10,000 domains would make 10,000 lines");
    }

    [Fact]
    public async Task Refresh_DomainLeavesTheCache_ItsBackoffIsForgotten()
    {
        _world.Publish("example.com", "1", TestWorld.EnforcePolicy.Replace("86400", "2592000", StringComparison.Ordinal));
        await _enforcer.GetPolicyAsync("example.com");
        _world.Https.Serve(Host, context => { context.Response.StatusCode = 500; return Task.CompletedTask; });
        _world.Time.Advance(TimeSpan.FromHours(25));
        await _refresher.RefreshDueAsync(default);
        _refresher.BackedOffDomains.Should().Be(1);

        await _enforcer.InvalidateAsync("example.com");
        await _refresher.RefreshDueAsync(default);

        _refresher.BackedOffDomains.Should().Be(0, "failure counts are kept only for cached domains");
    }

    [Fact]
    public async Task StopAsync_WhileRefreshesHangOnAStalledHost_ReturnsPromptly()
    {
        _world.Publish("example.com", "1", TestWorld.EnforcePolicy.Replace("86400", "2592000", StringComparison.Ordinal));
        await _enforcer.GetPolicyAsync("example.com");
        _world.Https.Serve(Host, context => Task.Delay(Timeout.Infinite, context.RequestAborted)); // accepts, never answers
        _world.Time.Advance(TimeSpan.FromHours(25)); // the policy is due
        using var refresher = Refresher(new MtaStsRefreshOptions { MaxJitter = TimeSpan.Zero });
        await refresher.StartAsync(default);

        // ExecuteAsync runs on its own task: advance the clock until its first pass has started and reached the host.
        (await Eventually.TrueAsync(() =>
        {
            _world.Time.Advance(TimeSpan.FromHours(1));
            return Task.FromResult(_world.Https.RequestCount(Host) >= 2);
        })).Should().BeTrue("the refresh reached the stalled host");

        using var shutdown = new CancellationTokenSource(TimeSpan.FromSeconds(8));
        var clock = System.Diagnostics.Stopwatch.StartNew();
        await refresher.StopAsync(shutdown.Token);

        clock.Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(4), "the stopping token ends the pass; shutdown does not wait for its timeout (10 s)");
        shutdown.IsCancellationRequested.Should().BeFalse();
    }

    private List<FakeLogRecord> RefresherLogs() =>
        _logs.Collector.GetSnapshot().Where(r => r.Category == typeof(MtaStsPolicyRefresher).FullName).ToList();

    private MtaStsPolicyRefresher Refresher(MtaStsRefreshOptions options) =>
        new(_enforcer, Options.Create(options), _world.Time, _loggerFactory.CreateLogger<MtaStsPolicyRefresher>());
}
