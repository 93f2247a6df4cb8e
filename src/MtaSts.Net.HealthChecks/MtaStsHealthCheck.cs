using System.Globalization;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using MtaSts.Health;

namespace MtaSts.HealthChecks;

/// <summary>
/// Reads the enforcer's health status and cache, and reads the persistent store once (bounded): <c>Unhealthy</c> when
/// the store has not answered since start, <c>Degraded</c> when it fails now or its last write failed, when refreshes
/// of <c>enforce</c> policies keep failing or one that failed is near expiry, or when TLS-RPT deliveries keep failing.
/// The store read is shared (<see cref="StoreProbe"/>): checks polled while the store hangs never pile up reads.
/// </summary>
internal sealed class MtaStsHealthCheck(
    MtaStsHealthStatus status, MtaStsEnforcer enforcer, StoreProbe probe, IOptions<MtaStsOptions> mtaStsOptions,
    IOptionsMonitor<MtaStsHealthCheckOptions> options, TimeProvider time) : IHealthCheck
{
    private const int MaxNamed = 5;

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(context);
        var settings = options.Get(context.Registration.Name);
        await probe.WaitAsync(settings.StoreProbeTimeout ?? mtaStsOptions.Value.StoreTimeout, cancellationToken).ConfigureAwait(false);
        var snapshot = status.Snapshot();
        var data = new Dictionary<string, object>(StringComparer.Ordinal);
        var problems = new List<string>();

        if (!snapshot.StoreAnswered && snapshot.StoreFailuresInRow > 0)
        {
            data["store.error"] = snapshot.LastStoreError ?? "failed";
            return HealthCheckResult.Unhealthy("The MTA-STS policy store has not answered since start: " + snapshot.LastStoreError, data: data);
        }

        if (snapshot.StoreFailuresInRow > 0 || snapshot.StoreWriteFailuresInRow > 0)
        {
            data["store.error"] = snapshot.LastStoreError ?? "failed";
            problems.Add(snapshot.StoreWriteFailuresInRow > 0
                ? $"the policy store cannot be written ({snapshot.StoreWriteFailuresInRow} failed writes in a row: {snapshot.LastStoreError})"
                : $"the policy store fails ({snapshot.LastStoreError})");
        }

        var failing = FailingRefreshes(snapshot, settings);
        if (failing.Count > 0)
        {
            data["refresh.failing"] = failing.Count;
            problems.Add($"{failing.Count} enforce polic{(failing.Count == 1 ? "y" : "ies")} cannot be refreshed: "
                + string.Join(", ", failing.Take(MaxNamed).Select(Describe)));
        }

        if (snapshot.ReportFailuresInRow >= settings.ReportFailureThreshold)
        {
            data["tlsrpt.failures"] = snapshot.ReportFailuresInRow;
            problems.Add($"{snapshot.ReportFailuresInRow} TLS-RPT deliveries failed in a row (last: {snapshot.LastReportError})");
        }

        return problems.Count == 0
            ? HealthCheckResult.Healthy("MTA-STS: store, refreshes and reports fine", data)
            : HealthCheckResult.Degraded("MTA-STS: " + string.Join("; ", problems), data: data);
    }

    // Enforce policies still cached whose refreshes keep failing, or whose last refresh failed and that expire soon.
    private List<MtaStsHealthStatus.RefreshFailure> FailingRefreshes(MtaStsHealthSnapshot snapshot, MtaStsHealthCheckOptions settings)
    {
        if (snapshot.RefreshFailures.Count == 0)
        {
            return [];
        }

        var now = time.GetUtcNow();
        var cached = enforcer.CachedStates().Where(s => s.Mode == MtaStsMode.Enforce).Select(s => s.Domain).ToHashSet(StringComparer.Ordinal);
        return [.. snapshot.RefreshFailures
            .Where(f => cached.Contains(f.Domain))
            .Where(f => f.FailuresInRow >= settings.RefreshFailureThreshold || (f.ExpiresAt is { } expires && expires - now <= settings.ExpiryWarning))
            .OrderBy(f => f.ExpiresAt ?? DateTimeOffset.MaxValue)];
    }

    private static string Describe(MtaStsHealthStatus.RefreshFailure f) =>
        string.Create(CultureInfo.InvariantCulture, $"{f.Domain} ({f.FailuresInRow}x, expires {f.ExpiresAt:u})");
}
