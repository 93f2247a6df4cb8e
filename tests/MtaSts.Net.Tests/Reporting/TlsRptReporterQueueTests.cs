using MtaSts.Reporting;

namespace MtaSts.Tests.Reporting;

/// <summary>E: every completed day still held is sent, oldest first; too old days are dropped with a log.</summary>
public class TlsRptReporterQueueTests
{
    [Fact]
    public async Task SendPending_RestartAfterMidnight_SendsEveryCompletedDayOldestFirst()
    {
        var kit = new ReporterKit();
        kit.Publish("a.example", "https://r.a.example/");
        kit.Time.SetUtcNow(new DateTimeOffset(2026, 11, 27, 22, 0, 0, TimeSpan.Zero));
        kit.Record("a.example");
        kit.Time.SetUtcNow(new DateTimeOffset(2026, 11, 28, 22, 0, 0, TimeSpan.Zero));
        kit.Record("a.example");
        await kit.Reporter().SaveStateAsync(); // stopped at 22:00

        kit.Time.SetUtcNow(new DateTimeOffset(2026, 11, 29, 0, 30, 0, TimeSpan.Zero)); // restarted at 00:30
        kit.Restart();
        kit.Record("a.example"); // today's: not complete, not sent
        var outcomes = await kit.Reporter().SendPendingAsync();

        outcomes.Select(o => (o.Day, o.Status)).Should().Equal(
            (new DateOnly(2026, 11, 27), TlsRptDeliveryStatus.Delivered),
            (new DateOnly(2026, 11, 28), TlsRptDeliveryStatus.Delivered));
        kit.Https.Calls.Select(c => c.Envelope.Report.StartDateTime.Day).Should().Equal([27, 28], "oldest first");
        kit.Recorder.Domains(new DateOnly(2026, 11, 29)).Should().Equal(["a.example"], "today is kept for tomorrow");
    }

    [Fact]
    public async Task SendPending_DayOlderThanTheLimit_DroppedWithALog()
    {
        var kit = new ReporterKit(o => o.MaxReportAge = TimeSpan.FromDays(3));
        kit.Publish("a.example", "https://r.a.example/");
        kit.Record("a.example");
        kit.Time.Advance(TimeSpan.FromDays(5));

        var outcomes = await kit.Reporter().SendPendingAsync();

        outcomes.Should().BeEmpty();
        kit.Https.Calls.Should().BeEmpty();
        kit.Recorder.Domains(ReporterKit.Day).Should().BeEmpty("counters of a day too old to report do not stay forever");
        kit.Log.Lines.Should().Contain(l => l.Message.Contains("2026-11-27", StringComparison.Ordinal) || l.Message.Contains("11/27/2026", StringComparison.Ordinal));
    }

    [Fact]
    public async Task SendPendingWithRetries_FailedDayRetriedWithoutResendingDeliveredOnes()
    {
        var kit = new ReporterKit(o => o.FirstRetryDelay = TimeSpan.FromMinutes(1));
        var attempts = 0;
        kit.Https = new Fakes.FakeTransport("https", (uri, _, _) =>
            Task.FromResult(uri.Host == "r.b.example" && Interlocked.Increment(ref attempts) == 1 ? "HTTP 500" : null));
        kit.Publish("a.example", "https://r.a.example/").Publish("b.example", "https://r.b.example/");
        kit.Record("a.example");
        kit.Record("b.example");
        kit.Time.Advance(TimeSpan.FromDays(1));
        var reporter = kit.Reporter();

        var sending = reporter.SendPendingWithRetriesAsync();
        for (var i = 0; i < 100 && !sending.IsCompleted; i++) // bounded: advance the fake clock past the back-off
        {
            await Task.Delay(10);
            kit.Time.Advance(TimeSpan.FromMinutes(1));
        }

        (await sending).Should().OnlyContain(o => o.Status == TlsRptDeliveryStatus.Delivered);
        kit.Https.Calls.Count(c => c.Uri.Host == "r.a.example").Should().Be(1);
        attempts.Should().Be(2);
    }

    [Fact]
    public async Task SendPendingWithRetries_ExtremeOptions_NoOverflow()
    {
        var kit = new ReporterKit(o =>
        {
            o.MaxReportAge = TimeSpan.MaxValue;
            o.RetryFor = TimeSpan.MaxValue;
            o.FirstRetryDelay = TimeSpan.MaxValue / 2;
            o.DomainTimeBudget = TimeSpan.MaxValue;
        });
        kit.Https = new Fakes.FakeTransport("https", (_, _, _) => Task.FromResult<string?>("HTTP 500"));
        kit.Publish("a.example", "https://r.a.example/");
        kit.Record("a.example");
        kit.Time.Advance(TimeSpan.FromDays(1));

        var outcomes = await kit.Reporter().SendPendingWithRetriesAsync().WaitAsync(TimeSpan.FromSeconds(30));

        outcomes.Single().Status.Should().Be(TlsRptDeliveryStatus.Failed, "bad input gives a result, not an overflow");
    }
}
