using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using MtaSts.DependencyInjection;
using MtaSts.IntegrationTests.Infrastructure;

namespace MtaSts.IntegrationTests.Hosting;

/// <summary>
/// An operator subscribes by the public names (MtaStsInstrumentation) and sees the metrics and spans of a real lookup
/// over loopback DNS and HTTPS: the names in docs/operations.md are the ones the library records on.
/// </summary>
public sealed class InstrumentationNamesTests : WorldTest
{
    private const string Domain = "instrumented.example";

    [Fact]
    public async Task PublicNames_RealLookup_MetricsAndSpansCollected()
    {
        var spans = new ConcurrentQueue<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == MtaStsInstrumentation.ActivitySourceName,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllData,
            ActivityStopped = activity =>
            {
                if (Equals(activity.GetTagItem("mtasts.domain"), Domain))
                {
                    spans.Enqueue(activity);
                }
            },
        };
        ActivitySource.AddActivityListener(listener);
        using var host = HostingTests.Build(s => s.AddMtaSts(o =>
        {
            var template = World.Options();
            o.NameServers.Add(World.Dns.EndPoint);
            o.DnsRetries = 0;
            o.DnsTimeout = TimeSpan.FromSeconds(10); // one TXT query on a loaded machine: no timeout, no retry
            o.PolicyHostTrustedRoots = template.PolicyHostTrustedRoots;
            o.PolicyHostConnectCallback = template.PolicyHostConnectCallback;
        }));
        var meters = host.Services.GetRequiredService<IMeterFactory>();
        using var resolve = new MetricCollector<double>(meters, MtaStsInstrumentation.MeterName, "mtasts.policy.resolve.duration");
        using var fetch = new MetricCollector<double>(meters, MtaStsInstrumentation.MeterName, "mtasts.policy.fetch.duration");
        using var decisions = new MetricCollector<long>(meters, MtaStsInstrumentation.MeterName, "mtasts.decisions");
        World.Publish(Domain, "1");

        var state = await host.Services.GetRequiredService<IMtaStsEnforcer>().GetPolicyAsync(Domain);
        state.RecordDecision(state.EvaluateMx("attacker.example.net")); // as the MailKit adapter does where a candidate ends

        state.Mode.Should().Be(MtaStsMode.Enforce, "the policy came over loopback HTTPS");
        resolve.GetMeasurementSnapshot().Should().ContainSingle().Which.Tags["mtasts.policy.source"].Should().Be("fetch");
        fetch.GetMeasurementSnapshot().Should().ContainSingle("one HTTPS fetch");
        decisions.GetMeasurementSnapshot().Should().ContainSingle().Which.Tags["mtasts.verdict"].Should().Be("fail_closed", "the MX is not in the policy");
        spans.Select(a => a.OperationName).Should().BeEquivalentTo(["mtasts.policy.resolve", "mtasts.policy.fetch"]);
        spans.Single(a => a.OperationName == "mtasts.policy.fetch").Parent!.OperationName.Should().Be("mtasts.policy.resolve");
    }
}
