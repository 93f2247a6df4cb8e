using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MtaSts.DependencyInjection;
using MtaSts.Reporting;
using MtaSts.Tests.Fakes;
using MtaSts.Tests.Reporting;

namespace MtaSts.Tests.DependencyInjection;

/// <summary>The hosted service on a fake clock: it survives failures (A), sends days left from before a restart (E), flushes at stop (G), and stops within its bound when the store hangs.</summary>
public class TlsRptReportingServiceTests
{
    [Fact]
    public async Task TransportThrowsOnTheFirstTry_ServiceGoesOnAndTheReportIsDelivered()
    {
        var kit = new ReporterKit(o => o.MaxRandomDelay = TimeSpan.FromMinutes(30));
        var calls = 0;
        kit.Https = new FakeTransport("https", (_, _, _) =>
            Interlocked.Increment(ref calls) == 1 ? throw new InvalidOperationException("endpoint bug") : Task.FromResult<string?>(null));
        kit.Publish("a.example", "https://r.a.example/");
        kit.Time.SetUtcNow(new DateTimeOffset(2026, 11, 27, 22, 0, 0, TimeSpan.Zero));
        kit.Record("a.example");
        using var service = Service(kit);

        await service.StartAsync(default);
        await AdvanceUntilAsync(kit, () => Volatile.Read(ref calls) >= 2, TimeSpan.FromHours(6));
        await service.StopAsync(default);

        calls.Should().Be(2, "A: the exception failed one attempt; the retry delivered");
        (await kit.Store.Inner.IsSentAsync("a.example", ReporterKit.Day)).Should().BeTrue("delivered and marked sent");
    }

    [Fact]
    public async Task RestartAfterMidnight_YesterdaysReportIsSent()
    {
        var kit = new ReporterKit(o => o.MaxRandomDelay = TimeSpan.FromMinutes(30));
        kit.Publish("a.example", "https://r.a.example/");
        kit.Time.SetUtcNow(new DateTimeOffset(2026, 11, 27, 22, 0, 0, TimeSpan.Zero));
        kit.Record("a.example");
        await kit.Reporter().SaveStateAsync(); // the process stops at 22:00

        kit.Time.SetUtcNow(new DateTimeOffset(2026, 11, 28, 0, 30, 0, TimeSpan.Zero)); // and starts again at 00:30
        kit.Restart();
        using var service = Service(kit);
        await service.StartAsync(default);
        await AdvanceUntilAsync(kit, () => !kit.Https.Calls.IsEmpty, TimeSpan.FromDays(2));
        await service.StopAsync(default);

        kit.Https.Calls.Select(c => c.Envelope.Report.StartDateTime).Should().ContainSingle()
            .Which.Should().Be(new DateTimeOffset(2026, 11, 27, 0, 0, 0, TimeSpan.Zero), "E: the day before the restart is reported");
    }

    [Fact]
    public async Task SessionsRecordedAfterStop_SavedWhenDisposed()
    {
        var kit = new ReporterKit();
        var service = Service(kit);
        await service.StartAsync(default);
        await Task.Delay(100);
        await service.StopAsync(default);

        kit.Record("late.example"); // e.g. a queue that stops after the reporting service
        await service.DisposeAsync();

        (await kit.Store.Inner.ReadAsync("late.example", ReporterKit.Day)).Should().ContainSingle("G: flushed at dispose").Which.Failures.Should().Be(1);
    }

    [Fact]
    public async Task Stop_StoreNeverAnswers_ReturnsAfterStopTimeoutAndLogs()
    {
        var kit = new ReporterKit(o => o.StopTimeout = TimeSpan.FromSeconds(10));
        var log = new ServiceLog();
        var service = new TlsRptReportingService(kit.Reporter(), Options.Create(kit.Options), kit.Time, log);
        await service.StartAsync(default);
        await Task.Delay(100);
        kit.Record("a.example");
        kit.Store.Hang = true;

        var stop = service.StopAsync(CancellationToken.None); // a host without a shutdown timeout
        for (var second = 0; second < 60 && !stop.IsCompleted; second++)
        {
            kit.Time.Advance(TimeSpan.FromSeconds(1));
            await Task.WhenAny(stop, Task.Delay(20));
        }

        stop.IsCompleted.Should().BeTrue("the final save is abandoned after StopTimeout (10 s on the fake clock)");
        await stop;
        log.Lines.Should().ContainSingle(l => l.Level == LogLevel.Warning && l.Message.Contains("did not save the counters at stop", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Stop_StoreNeverAnswersAndHostTokenFires_ReturnsAndLogs()
    {
        var kit = new ReporterKit(o => o.StopTimeout = TimeSpan.FromHours(1));
        var log = new ServiceLog();
        var service = new TlsRptReportingService(kit.Reporter(), Options.Create(kit.Options), kit.Time, log);
        await service.StartAsync(default);
        await Task.Delay(100);
        kit.Record("a.example");
        kit.Store.Hang = true;
        using var host = new CancellationTokenSource();

        var stop = service.StopAsync(host.Token);
        await Task.WhenAny(stop, Task.Delay(200));
        stop.IsCompleted.Should().BeFalse("the save is waited for until a bound is reached");
        await host.CancelAsync(); // the host's shutdown timeout

        (await Task.WhenAny(stop, Task.Delay(TimeSpan.FromSeconds(20)))).Should().BeSameAs(stop, "the host's token ends the wait");
        log.Lines.Should().Contain(l => l.Message.Contains("did not save the counters at stop", StringComparison.Ordinal));
    }

    private static TlsRptReportingService Service(ReporterKit kit) => new(kit.Reporter(), Options.Create(kit.Options), kit.Time);

    private sealed class ServiceLog : ILogger<TlsRptReportingService>
    {
        public System.Collections.Concurrent.ConcurrentQueue<(LogLevel Level, string Message)> Lines { get; } = new();

        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            Lines.Enqueue((logLevel, formatter(state, exception)));
    }

    // Moves the fake clock in 5-minute steps, giving the service's continuations real time to run; bounded by maxFake.
    private static async Task AdvanceUntilAsync(ReporterKit kit, Func<bool> done, TimeSpan maxFake)
    {
        await Task.Delay(100);
        for (var elapsed = TimeSpan.Zero; elapsed < maxFake && !done(); elapsed += TimeSpan.FromMinutes(5))
        {
            kit.Time.Advance(TimeSpan.FromMinutes(5));
            for (var wait = 0; wait < 10 && !done(); wait++)
            {
                await Task.Delay(5);
            }
        }
    }
}
