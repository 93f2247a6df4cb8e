using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Hosting;
using MtaSts.Demo;
using MtaSts.DependencyInjection;
using MtaSts.MailKit.Delivery;

namespace MtaSts.MailKit.Tests;

/// <summary>
/// <c>mtasts.decisions</c> counts what happened to each candidate: one per SMTP session, one per MX skipped before
/// connecting, however many questions the sender asked the policy on the way.
/// </summary>
public sealed class DecisionCountTests : DemoWorldTest
{
    [Fact]
    public async Task Send_OneSession_CountsOneDecision()
    {
        await Scenarios.All[0].SetUpAsync(World); // enforce, honest network: one MX, one session
        using var host = await StartAsync();
        using var collector = Collector(host);

        var result = (await host.Services.GetRequiredService<IMtaStsDirectSender>().SendAsync(Message("bob@honest.test"))).Single();

        result.Status.Should().Be(MtaStsDeliveryStatus.Delivered);
        var measurement = collector.GetMeasurementSnapshot().Should().ContainSingle("one session is one decision, not MX check + TLS check").Subject;
        measurement.Value.Should().Be(1);
        measurement.Tags["mtasts.verdict"].Should().Be("deliver");
        measurement.Tags["mtasts.mode"].Should().Be("enforce");
    }

    [Fact]
    public async Task Send_RefusedSession_CountsOneFailClosed()
    {
        await Scenarios.All[1].SetUpAsync(World); // enforce, STARTTLS stripped: the session is refused after EHLO
        using var host = await StartAsync();
        using var collector = Collector(host);

        var result = (await host.Services.GetRequiredService<IMtaStsDirectSender>().SendAsync(Message("bob@stripped.test"))).Single();

        result.Status.Should().Be(MtaStsDeliveryStatus.Deferred);
        var sessions = result.Attempts.Count(a => a.Address is not null);
        var measurements = collector.GetMeasurementSnapshot();
        measurements.Should().HaveCount(sessions, "one decision per session, the re-check's sessions included");
        measurements.Should().OnlyContain(m => (string?)m.Tags["mtasts.verdict"] == "fail_closed"
            && (string?)m.Tags["mtasts.failure.kind"] == "starttls-not-supported");
    }

    [Fact]
    public async Task Send_CandidatesSkippedBeforeConnecting_CountsOnePerCandidate()
    {
        await Scenarios.All.Single(s => s.Number == 6).SetUpAsync(World); // enforce, the MX record points at an MX the policy does not list
        using var host = await StartAsync();
        using var collector = Collector(host);

        var result = (await host.Services.GetRequiredService<IMtaStsDirectSender>().SendAsync(Message("bob@hijacked.test"))).Single();

        result.Attempts.Should().OnlyContain(a => a.Address == null, "no connection was made");
        collector.GetMeasurementSnapshot().Should().HaveCount(result.Attempts.Count, "each skipped candidate is one decision")
            .And.OnlyContain(m => (string?)m.Tags["mtasts.verdict"] == "fail_closed");
    }

    private static MetricCollector<long> Collector(IHost host) =>
        new(host.Services.GetRequiredService<IMeterFactory>(), MtaStsInstrumentation.MeterName, "mtasts.decisions");

    private async Task<IHost> StartAsync()
    {
        var builder = Host.CreateApplicationBuilder();
        AddWorld(builder.Services);
        var host = builder.Build();
        await host.StartAsync();
        return host;
    }
}
