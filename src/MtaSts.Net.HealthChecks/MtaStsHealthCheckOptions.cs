namespace MtaSts.HealthChecks;

/// <summary>When the MTA-STS health check turns <c>Degraded</c>.</summary>
public sealed class MtaStsHealthCheckOptions
{
    /// <summary>Consecutive failed refreshes of an <c>enforce</c> policy that make the check degraded.</summary>
    /// <value>Default 2: one failure is a blip, the refresher's back-off retries it.</value>
    public int RefreshFailureThreshold { get; set; } = 2;

    /// <summary>
    /// An <c>enforce</c> policy whose last refresh failed and that expires within this time makes the check degraded,
    /// whatever the number of failures: once it expires the domain has no policy until a fetch succeeds.
    /// </summary>
    /// <value>Default 1 day.</value>
    public TimeSpan ExpiryWarning { get; set; } = TimeSpan.FromDays(1);

    /// <summary>Consecutive failed TLS-RPT report deliveries (every <c>rua</c> tried) that make the check degraded.</summary>
    /// <value>Default 2.</value>
    public int ReportFailureThreshold { get; set; } = 2;

    /// <summary>How long the check waits for its read of the persistent policy store.</summary>
    /// <value>Default <see langword="null"/>: <see cref="MtaStsOptions.StoreTimeout"/>.</value>
    public TimeSpan? StoreProbeTimeout { get; set; }
}
