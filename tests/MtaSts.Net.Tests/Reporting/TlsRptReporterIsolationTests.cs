using System.Diagnostics;
using MtaSts.Reporting;
using MtaSts.Tests.Fakes;

namespace MtaSts.Tests.Reporting;

/// <summary>Hardening of the send run: each domain in isolation (A) and within bounds (B).</summary>
public class TlsRptReporterIsolationTests
{
    [Fact]
    public async Task SendDay_OneDomainsTransportThrows_OtherDomainsStillDelivered()
    {
        var kit = new ReporterKit();
        kit.Mail = new FakeTransport("mailto", (uri, _, _) => uri.OriginalString.Contains("bad", StringComparison.Ordinal)
            ? throw new FormatException("transport bug") : Task.FromResult<string?>(null));
        kit.Publish("a.example", "mailto:r@a.example").Publish("b.example", "mailto:bad@b.example").Publish("c.example", "mailto:r@c.example");
        foreach (var domain in new[] { "a.example", "b.example", "c.example" })
        {
            kit.Record(domain);
        }

        var outcomes = await kit.Reporter().SendDayAsync(ReporterKit.Day);

        outcomes.Select(o => (o.Domain, o.Status)).Should().BeEquivalentTo(new[]
        {
            ("a.example", TlsRptDeliveryStatus.Delivered),
            ("b.example", TlsRptDeliveryStatus.Failed),
            ("c.example", TlsRptDeliveryStatus.Delivered),
        }, "A: one domain's exception never affects another's");
        outcomes.Single(o => o.Domain == "b.example").Detail.Should().Contain("FormatException");
        (await kit.Store.Inner.ListAsync(ReporterKit.Day)).Select(d => d.Domain).Should().Equal(["b.example"], "the failed domain's counters are kept for a retry");
    }

    [Fact]
    public async Task SendDay_MalformedMailtoRua_NeverReachesTransportAndNextRuaIsUsed()
    {
        var kit = new ReporterKit();
        kit.Publish("a.example", "mailto:a%0D%0ARSET@a.example,mailto:reports,https://r.a.example/tlsrpt");
        kit.Record("a.example");

        var outcome = (await kit.Reporter().SendDayAsync(ReporterKit.Day)).Single();

        outcome.Status.Should().Be(TlsRptDeliveryStatus.Delivered);
        kit.Mail.Calls.Should().BeEmpty("A: bad mailto: URIs are dropped when the record is parsed");
        kit.Https.Calls.Should().ContainSingle();
        kit.Log.Lines.Where(l => l.Message.Contains("skipped", StringComparison.Ordinal)).Should().HaveCount(2, "each skipped rua is logged");
    }

    [Fact]
    public async Task SendDay_ManyFailingRua_AtMostTheLimitTried()
    {
        var kit = new ReporterKit(o => o.MaxReportUrisPerDomain = 3);
        kit.Https = new FakeTransport("https", (_, _, _) => Task.FromResult<string?>("HTTP 500"));
        kit.Publish("a.example", string.Join(",", Enumerable.Range(1, 20).Select(i => $"https://r{i}.a.example/")));
        kit.Record("a.example");

        var outcome = (await kit.Reporter().SendDayAsync(ReporterKit.Day)).Single();

        outcome.Status.Should().Be(TlsRptDeliveryStatus.Failed);
        kit.Https.Calls.Should().HaveCount(3, "B: a cap on the rua tried per domain");
    }

    [Fact]
    public async Task SendDay_HangingEndpoint_EndsAtTheDomainTimeBudget()
    {
        var kit = new ReporterKit(o => o.DomainTimeBudget = TimeSpan.FromMilliseconds(300));
        kit.Https = new FakeTransport("https", async (_, _, ct) => { await Task.Delay(Timeout.Infinite, ct); return null; });
        kit.Publish("slow.example", "https://r.slow.example/").Publish("fast.example", "mailto:r@fast.example");
        kit.Record("slow.example");
        kit.Record("fast.example");
        var clock = Stopwatch.StartNew();

        var outcomes = await kit.Reporter().SendDayAsync(ReporterKit.Day).WaitAsync(TimeSpan.FromSeconds(30));

        clock.Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(10));
        outcomes.Single(o => o.Domain == "slow.example").Should().Match<TlsRptDeliveryOutcome>(o =>
            o.Status == TlsRptDeliveryStatus.Failed && o.Detail!.Contains("longer than", StringComparison.Ordinal));
        outcomes.Single(o => o.Domain == "fast.example").Status.Should().Be(TlsRptDeliveryStatus.Delivered);
    }

    [Fact]
    public async Task SendDay_ManyDomains_SentInParallelWithinTheLimit()
    {
        var kit = new ReporterKit(o => o.MaxConcurrentDomains = 3);
        kit.Https = new FakeTransport("https", async (_, _, ct) => { await Task.Delay(100, ct); return null; });
        for (var i = 0; i < 12; i++)
        {
            kit.Publish($"d{i}.example", $"https://r.d{i}.example/");
            kit.Record($"d{i}.example");
        }

        var outcomes = await kit.Reporter().SendDayAsync(ReporterKit.Day);

        outcomes.Should().HaveCount(12).And.OnlyContain(o => o.Status == TlsRptDeliveryStatus.Delivered);
        kit.Https.MaxInFlight.Should().BeInRange(2, 3, "B: domains in parallel, at most MaxConcurrentDomains at once");
    }

    [Fact]
    public async Task SendDay_RecordCache_PrunedOfExpiredEntriesAndBounded()
    {
        var kit = new ReporterKit(o => o.MaxDomainsPerDay = 5);
        var reporter = kit.Reporter();
        for (var i = 0; i < 5; i++)
        {
            kit.Record($"d{i}.example"); // no TLS-RPT records: NoEndpoint, but the lookups are cached
        }

        await reporter.SendDayAsync(ReporterKit.Day);
        reporter.CachedRecordCount.Should().Be(5);

        kit.Time.Advance(TimeSpan.FromDays(1)); // every entry past its (at most a day) lifetime
        for (var i = 5; i < 8; i++)
        {
            kit.Record($"d{i}.example");
        }

        await reporter.SendDayAsync(ReporterKit.Day.AddDays(1));
        reporter.CachedRecordCount.Should().Be(3, "G: expired entries are pruned at each run");
    }

    [Fact]
    public async Task SendDay_EndpointReplyWithLineBreaks_OutcomeAndLogHaveNone()
    {
        var kit = new ReporterKit();
        kit.Https = new FakeTransport("https", (_, _, _) => Task.FromResult<string?>("HTTP 500\r\nfake log line\u001b[31m"));
        kit.Publish("a.example", "https://r.a.example/");
        kit.Record("a.example");

        var outcome = (await kit.Reporter().SendDayAsync(ReporterKit.Day)).Single();

        outcome.Detail.Should().Contain("fake log line").And.NotContainAny("\r", "\n", "\u001b");
        kit.Log.Lines.Should().Contain(l => l.Message.Contains("fake log line", StringComparison.Ordinal))
            .Which.Message.Should().NotContainAny("\r", "\n", "\u001b");
    }
}
