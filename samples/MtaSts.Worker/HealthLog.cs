using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace MtaSts.Worker;

/// <summary>Logs the health report every <c>HealthLog:Interval</c> (1 minute by default): one line, at Warning unless healthy.</summary>
public sealed partial class HealthLog(HealthCheckService health, IConfiguration configuration, ILogger<HealthLog> logger) : BackgroundService
{
    /// <summary>The status of the last check, <see langword="null"/> before the first.</summary>
    public HealthStatus? Last { get; private set; }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var interval = configuration.GetValue("HealthLog:Interval", TimeSpan.FromMinutes(1));
        using var timer = new PeriodicTimer(interval);
        do
        {
            var report = await health.CheckHealthAsync(stoppingToken);
            Last = report.Status;
            foreach (var (name, entry) in report.Entries)
            {
                LogHealth(report.Status == HealthStatus.Healthy ? LogLevel.Information : LogLevel.Warning, name, entry.Status, entry.Description);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false));
    }

    [LoggerMessage(EventId = 10, Message = "Health {Name}: {Status} ({Description})")]
    private partial void LogHealth(LogLevel level, string name, HealthStatus status, string? description);
}
