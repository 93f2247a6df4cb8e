using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Hosting;
using MtaSts.DependencyInjection;
using MtaSts.IntegrationTests.Infrastructure;

namespace MtaSts.IntegrationTests.Hosting;

/// <summary>The MtaSts.Net meter, asserted with MetricCollector, units included.</summary>
public sealed class TelemetryTests : IAsyncLifetime
{
    private TestWorld _world = null!;
    private IHost _host = null!;

    public async Task InitializeAsync()
    {
        _world = await TestWorld.StartAsync();
        _host = BuildHost(fakeClock: true);
        await _host.StartAsync();
    }

    private IHost BuildHost(bool fakeClock) =>
        HostingTests.Build(services =>
        {
            services.AddMtaSts(o =>
        {
            var template = _world.Options();
            o.NameServers.Add(_world.Dns.EndPoint);
            o.DnsRetries = 0;
            o.PolicyHostTrustedRoots = template.PolicyHostTrustedRoots;
            o.PolicyHostConnectCallback = template.PolicyHostConnectCallback;
            o.TxtRecheckMinimum = TimeSpan.FromMilliseconds(1);
            o.TxtRecheckMaximum = TimeSpan.FromMilliseconds(1);
            o.FetchRetries = 0; // retry delays would wait on the fake clock
            });
            if (fakeClock)
            {
                services.AddSingleton<TimeProvider>(_world.Time);
            }
        });

    public async Task DisposeAsync()
    {
        await _host.StopAsync();
        _host.Dispose();
        await _world.DisposeAsync();
    }

    private IMeterFactory Meters => _host.Services.GetRequiredService<IMeterFactory>();

    private IMtaStsEnforcer Enforcer => _host.Services.GetRequiredService<IMtaStsEnforcer>();

    [Fact]
    public async Task ResolveDuration_RecordedInSecondsAsDeclared()
    {
        using var realClock = BuildHost(fakeClock: false); // durations need a clock that moves
        await realClock.StartAsync();
        using var collector = new MetricCollector<double>(realClock.Services.GetRequiredService<IMeterFactory>(), "MtaSts.Net", "mtasts.policy.resolve.duration");
        _world.Publish("example.com", "1");
        _world.Dns.SetDelay("_mta-sts.example.com", TimeSpan.FromMilliseconds(300));

        await realClock.Services.GetRequiredService<IMtaStsEnforcer>().GetPolicyAsync("example.com");
        await realClock.StopAsync();

        collector.Instrument!.Unit.Should().Be("s");
        var measurement = collector.GetMeasurementSnapshot().Should().ContainSingle().Subject;
        measurement.Value.Should().BeInRange(0.25, 5, "a 300 ms DNS delay is 0.3 s, not 300 (unit matches value)");
        measurement.Tags["mtasts.mode"].Should().Be("enforce");
        measurement.Tags["mtasts.policy.source"].Should().Be("fetch");
        measurement.Tags.Should().NotContainKey("error.type");
    }

    [Fact]
    public async Task FetchDuration_FailureTaggedWithErrorType()
    {
        using var collector = new MetricCollector<double>(Meters, "MtaSts.Net", "mtasts.policy.fetch.duration");
        _world.Dns.SetTxt("_mta-sts.example.com", "v=STSv1; id=1");
        _world.Https.Serve("mta-sts.example.com", context => { context.Response.StatusCode = 404; return Task.CompletedTask; });

        await Enforcer.GetPolicyAsync("example.com");

        collector.Instrument!.Unit.Should().Be("s");
        var measurement = collector.GetMeasurementSnapshot().Should().ContainSingle().Subject;
        measurement.Value.Should().BeInRange(0, 60);
        measurement.Tags["error.type"].Should().Be("sts-policy-fetch-error");
    }

    [Fact]
    public async Task Decisions_EvaluatingCountsNothing()
    {
        using var collector = new MetricCollector<long>(Meters, "MtaSts.Net", "mtasts.decisions");
        _world.Publish("example.com", "1");
        var state = await Enforcer.GetPolicyAsync("example.com");

        state.EvaluateMx("mail.example.com");
        state.EvaluateMx("evil.example.net");
        state.EvaluateTls("mail.example.com", startTlsOffered: false, null, null, default);

        collector.Instrument!.Unit.Should().Be("{decision}");
        collector.GetMeasurementSnapshot().Should().BeEmpty("a decision is counted where the session ends, not at each question a sender asks");
    }

    [Fact]
    public async Task Decisions_CountedByModeVerdictAndFailureKind()
    {
        using var collector = new MetricCollector<long>(Meters, "MtaSts.Net", "mtasts.decisions");
        _world.Publish("example.com", "1");
        var state = await Enforcer.GetPolicyAsync("example.com");

        state.RecordDecision(state.EvaluateMx("mail.example.com"));
        state.RecordDecision(state.EvaluateMx("evil.example.net"));

        var measurements = collector.GetMeasurementSnapshot();
        measurements.Should().HaveCount(2);
        measurements[0].Tags["mtasts.verdict"].Should().Be("deliver");
        measurements[1].Tags["mtasts.verdict"].Should().Be("fail_closed");
        measurements[1].Tags["mtasts.failure.kind"].Should().Be("certificate-host-mismatch");
        measurements[1].Tags["mtasts.mode"].Should().Be("enforce");
    }

    [Theory]
    [InlineData("version: STSv1\nmode: testing\nmx: mail.example.com\nmx: *.mx.example.com\nmax_age: 86400\n", "mode-weakened")]
    [InlineData("version: STSv1\nmode: none\nmax_age: 86400\n", "mode-weakened")]
    [InlineData("version: STSv1\nmode: enforce\nmx: mail.example.com\nmx: *.mx.example.com\nmax_age: 600\n", "max-age-dropped")]
    [InlineData("version: STSv1\nmode: enforce\nmx: mail.example.com\nmax_age: 86400\n", "mx-shrunk")]
    [InlineData("version: STSv1\nmode: enforce\nmx: mail.example.com\nmx: evil.example.net\nmax_age: 86400\n", "mx-changed")]
    public async Task Downgrades_NewPolicyWeakerThanCached(string replacement, string kind)
    {
        using var collector = new MetricCollector<long>(Meters, "MtaSts.Net", "mtasts.policy.downgrades");
        _world.Publish("example.com", "1");
        await Enforcer.GetPolicyAsync("example.com");

        _world.Publish("example.com", "2", replacement);
        _world.Time.Advance(TimeSpan.FromSeconds(1));
        (await Enforcer.GetPolicyAsync("example.com")).RecordId.Should().Be("2", "CACHE-8 the new policy still replaces the old");

        collector.GetMeasurementSnapshot().Select(m => m.Tags["mtasts.downgrade.kind"]).Should().Contain(kind);
    }

    [Fact]
    public async Task Downgrades_RecordVanishedAndFetchFailedAfterIdChange()
    {
        using var collector = new MetricCollector<long>(Meters, "MtaSts.Net", "mtasts.policy.downgrades");
        _world.Publish("example.com", "1");
        await Enforcer.GetPolicyAsync("example.com");

        _world.Dns.SetTxt("_mta-sts.example.com", "v=STSv1; id=2");
        _world.Https.Serve("mta-sts.example.com", context => { context.Response.StatusCode = 500; return Task.CompletedTask; });
        _world.Time.Advance(TimeSpan.FromSeconds(1));
        await Enforcer.GetPolicyAsync("example.com");

        _world.Dns.Remove("_mta-sts.example.com");
        _world.Time.Advance(TimeSpan.FromSeconds(1));
        await Enforcer.GetPolicyAsync("example.com");

        collector.GetMeasurementSnapshot().Select(m => m.Tags["mtasts.downgrade.kind"])
            .Should().Contain(["fetch-failed-after-id-change", "record-vanished"]);
    }
}
