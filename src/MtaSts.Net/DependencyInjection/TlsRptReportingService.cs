using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using MtaSts.Reporting;

namespace MtaSts.DependencyInjection;

/// <summary>
/// Sends each UTC day's TLS-RPT reports after a random delay of up to <see cref="TlsRptOptions.MaxRandomDelay"/> past
/// midnight (RPT-14), retrying failures for up to a day (RPT-20); loads the counters from the policy store at start and
/// saves them every minute and at shutdown.
/// </summary>
internal sealed class TlsRptReportingService(TlsRptReporter reporter, IOptions<TlsRptOptions> options, TimeProvider time) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await reporter.LoadStateAsync(stoppingToken).ConfigureAwait(false);
        var saving = SaveEveryMinuteAsync(stoppingToken);
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                var now = time.GetUtcNow();
                var midnight = new DateTimeOffset(now.UtcDateTime.Date.AddDays(1), TimeSpan.Zero);
                var jitter = TimeSpan.FromSeconds(1 + (Random.Shared.NextDouble() * options.Value.MaxRandomDelay.TotalSeconds));
                await Task.Delay(midnight - now + jitter, time, stoppingToken).ConfigureAwait(false);
                await reporter.SendDayWithRetriesAsync(DateOnly.FromDateTime(midnight.UtcDateTime.AddDays(-1)), stoppingToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping.
        }
        finally
        {
            await reporter.SaveStateAsync(CancellationToken.None).ConfigureAwait(false);
            await saving.ConfigureAwait(false);
        }
    }

    private async Task SaveEveryMinuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                await Task.Delay(TimeSpan.FromMinutes(1), time, stoppingToken).ConfigureAwait(false);
                await reporter.SaveStateAsync(stoppingToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping.
        }
    }
}
