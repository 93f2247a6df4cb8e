using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using MtaSts.Reporting;

namespace MtaSts.DependencyInjection;

/// <summary>
/// Sends the TLS-RPT reports of every completed UTC day still held, oldest first: at start (days left from before a
/// restart) and then after a random delay of up to <see cref="TlsRptOptions.MaxRandomDelay"/> past each midnight (RPT-14),
/// retrying failures for up to a day (RPT-20). Moves the counters to the state store every minute, and once more when
/// stopped and when disposed (sessions recorded while the host stops are kept). The delay after midnight is at least
/// two minutes, so that every sender sharing the store has saved the day's last sessions before one sends.
/// An exception in one run is logged and counted; the next run is still scheduled. Stopping and disposing each take at
/// most <see cref="TlsRptOptions.StopTimeout"/> (or until the host's token fires): a store that does not answer does
/// not hang the host's shutdown.
/// </summary>
internal sealed partial class TlsRptReportingService(TlsRptReporter reporter, IOptions<TlsRptOptions> options, TimeProvider time,
    ILogger<TlsRptReportingService>? logger = null) : BackgroundService, IAsyncDisposable
{
    private readonly ILogger _logger = (ILogger?)logger ?? NullLogger.Instance;

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        using var bound = new CancellationTokenSource(options.Value.StopTimeout, time);
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, bound.Token);
        await base.StopAsync(limit.Token).ConfigureAwait(false); // returns when the token fires, even if a run still waits
        await FinalSaveAsync("stop", limit.Token).ConfigureAwait(false); // G: flush at stop
    }

    public async ValueTask DisposeAsync()
    {
        using (var bound = new CancellationTokenSource(options.Value.StopTimeout, time))
        {
            await FinalSaveAsync("dispose", bound.Token).ConfigureAwait(false); // G: sessions recorded after stop
        }

        Dispose();
    }

    // The store call itself is not cancelled (once drained, counters are either in the store or back in the recorder);
    // only the wait for it ends.
    private async Task FinalSaveAsync(string when, CancellationToken cancellationToken)
    {
        try
        {
            await reporter.SaveStateAsync(cancellationToken).WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            LogFinalSaveAbandoned(when, options.Value.StopTimeout);
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var saving = SaveEveryMinuteAsync(stoppingToken);
        try
        {
            await RunAsync(stoppingToken).ConfigureAwait(false); // E: days left over from before a restart
            for (var run = 0L; !stoppingToken.IsCancellationRequested; run++)
            {
                var now = time.GetUtcNow();
                var midnight = new DateTimeOffset(now.UtcDateTime.Date.AddDays(1), TimeSpan.Zero);
                var spread = Math.Clamp(options.Value.MaxRandomDelay.TotalSeconds, 0, TimeSpan.FromHours(23).TotalSeconds);
                var jitter = TimeSpan.FromSeconds(120 + (Random.Shared.NextDouble() * Math.Max(0, spread - 120)));
                await Task.Delay(midnight - now + jitter, time, stoppingToken).ConfigureAwait(false);
                await RunAsync(stoppingToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping.
        }
        finally
        {
            await saving.ConfigureAwait(false);
        }
    }

    // A: one run's exception never ends the service.
    private async Task RunAsync(CancellationToken stoppingToken)
    {
        try
        {
            await reporter.SendPendingWithRetriesAsync(stoppingToken).ConfigureAwait(false);
        }
#pragma warning disable CA1031 // logged and counted; the next midnight's run is scheduled as usual
        catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
#pragma warning restore CA1031
        {
            reporter.CountFailedRun(); // the mtasts.tlsrpt.run.failures metric
            LogRunFailed(ex);
        }
    }

    private async Task SaveEveryMinuteAsync(CancellationToken stoppingToken)
    {
        for (var tick = 0L; !stoppingToken.IsCancellationRequested; tick++)
        {
            try
            {
                await Task.Delay(TimeSpan.FromMinutes(1), time, stoppingToken).ConfigureAwait(false);
                await reporter.SaveStateAsync(stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
#pragma warning disable CA1031 // SaveStateAsync logs store failures itself; anything else must not end the loop
            catch (Exception ex)
#pragma warning restore CA1031
            {
                LogRunFailed(ex);
            }
        }
    }

    [LoggerMessage(1010, LogLevel.Error, "TLS-RPT run failed; the next run is scheduled", EventName = "ReportRunFailed")]
    private partial void LogRunFailed(Exception exception);

    [LoggerMessage(1012, LogLevel.Warning,
        "TLS-RPT: the state store did not save the counters at {When} within {StopTimeout} (or the host's shutdown timeout); sessions recorded since the last save are lost",
        EventName = "ReportFinalSaveAbandoned")]
    private partial void LogFinalSaveAbandoned(string when, TimeSpan stopTimeout);
}
