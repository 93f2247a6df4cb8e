using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using MtaSts.IntegrationTests.Infrastructure;

namespace MtaSts.IntegrationTests.Caching;

/// <summary>Disposing the enforcer with lookups in flight: they end at once, quietly, with a temporary failure.</summary>
public sealed class DisposeTests : WorldTest
{
    [Fact]
    public async Task Dispose_With200LookupsInFlight_EndsThemWithoutErrors()
    {
        using var logs = new FakeLoggerProvider();
        using var factory = LoggerFactory.Create(b => b.AddProvider(logs).SetMinimumLevel(LogLevel.Trace));
        var domains = Enumerable.Range(0, 200).Select(i => $"d{i}.example").ToList();
        foreach (var domain in domains)
        {
            World.Dns.SetTxt($"_mta-sts.{domain}", "v=STSv1; id=1"); // the lookups never get past DNS
            World.Dns.SetDelay($"_mta-sts.{domain}", TimeSpan.FromSeconds(6)); // within DnsTimeout (10 s here)
        }

        var enforcer = MtaStsEnforcer.Create(World.Options(o => o.DnsTimeout = TimeSpan.FromSeconds(10)), World.Time, factory);
        var lookups = domains.Select(d => enforcer.GetPolicyAsync(d).AsTask()).ToList();
        await Task.Delay(300);

        var watch = Stopwatch.StartNew();
        enforcer.Dispose();
        var states = await Task.WhenAll(lookups).WaitAsync(TimeSpan.FromSeconds(10));
        watch.Stop();

        states.Should().OnlyContain(s => s.IsFailClosed && s.DiscoveryFailure!.ReasonCode == "shutdown", "a lookup cut short is a temporary failure");
        watch.Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(4), "lookups in flight are cancelled, not awaited to their end (5.7 s on)");
        logs.Collector.GetSnapshot().Should().NotContain(r => r.Level >= LogLevel.Error, "cancelled work is not an error");
        logs.Collector.GetSnapshot().Count(r => r.Id.Name == "ResolveAbandoned").Should().Be(200);
        await FluentActions.Awaiting(() => enforcer.GetPolicyAsync("new.example").AsTask()).Should().ThrowAsync<ObjectDisposedException>();
    }
}
