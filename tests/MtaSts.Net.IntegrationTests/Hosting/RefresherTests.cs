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
        _refresher = new MtaStsPolicyRefresher(_enforcer, Options.Create(new MtaStsRefreshOptions()), _world.Time);
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
        var warnings = _logs.Collector.GetSnapshot().Where(r => r.Id.Name == "RefreshFailing").ToList();
        warnings.Should().HaveCount(2);
        warnings.Should().OnlyContain(r => r.Level == LogLevel.Warning);
        warnings[1].Message.Should().Contain("2 time(s)", "CACHE-7 repeated failures are counted, long before the 30-day expiry");
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
}
