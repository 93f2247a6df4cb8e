using System.Collections.Concurrent;
using MtaSts.Reporting;

namespace MtaSts.Health;

/// <summary>
/// What a health check needs to know and cannot ask the enforcer: whether the persistent store answers and takes
/// writes, which <c>enforce</c> policies the refresher keeps failing to refresh, and whether TLS-RPT reports get
/// delivered. Fed by the resilient store decorator, the refresher and the TLS-RPT reporter; read by
/// <c>MtaSts.Net.HealthChecks</c>. Thread-safe; every collection bounded.
/// </summary>
internal sealed class MtaStsHealthStatus
{
    /// <summary>At most this many failing domains are remembered; past it new ones are counted, not named.</summary>
    internal const int MaxTrackedDomains = 1_000;

    private readonly ConcurrentDictionary<string, RefreshFailure> _refreshFailures = new(StringComparer.Ordinal);
    private readonly object _gate = new();
    private bool _storeAnswered;
    private int _storeFailuresInRow;
    private int _storeWriteFailuresInRow;
    private string? _lastStoreError;
    private int _reportFailuresInRow;
    private string? _lastReportError;

    /// <summary>A store call answered.</summary>
    /// <param name="write">Whether it was a write.</param>
    public void StoreSucceeded(bool write)
    {
        lock (_gate)
        {
            _storeAnswered = true;
            _storeFailuresInRow = 0;
            if (write)
            {
                _storeWriteFailuresInRow = 0;
            }
        }
    }

    /// <summary>A store call failed, timed out or was bypassed by the breaker.</summary>
    /// <param name="write">Whether it was a write.</param>
    /// <param name="error">What went wrong.</param>
    public void StoreFailed(bool write, string error)
    {
        lock (_gate)
        {
            _storeFailuresInRow++;
            _storeWriteFailuresInRow += write ? 1 : 0;
            _lastStoreError = error;
        }
    }

    /// <summary>A refresh of <paramref name="domain"/> fetched its policy.</summary>
    /// <param name="domain">The normalised domain.</param>
    public void RefreshSucceeded(string domain) => _refreshFailures.TryRemove(domain, out _);

    /// <summary>A refresh of <paramref name="domain"/> failed <paramref name="failuresInRow"/> times in a row.</summary>
    /// <param name="domain">The normalised domain.</param>
    /// <param name="mode">The mode of the cached policy (only <c>enforce</c> is tracked).</param>
    /// <param name="failuresInRow">Consecutive failures.</param>
    /// <param name="expiresAt">When the cached policy expires.</param>
    /// <param name="error">Why the last refresh failed.</param>
    public void RefreshFailed(string domain, MtaStsMode mode, int failuresInRow, DateTimeOffset? expiresAt, string error)
    {
        if (mode != MtaStsMode.Enforce)
        {
            _refreshFailures.TryRemove(domain, out _);
            return;
        }

        if (_refreshFailures.Count < MaxTrackedDomains || _refreshFailures.ContainsKey(domain))
        {
            _refreshFailures[domain] = new RefreshFailure(domain, failuresInRow, expiresAt, error);
        }
    }

    /// <summary>One report delivery ended (a failed one after every <c>rua</c> was tried).</summary>
    /// <param name="outcome">The outcome.</param>
    public void ReportAttempted(TlsRptDeliveryOutcome outcome)
    {
        ArgumentNullException.ThrowIfNull(outcome);
        lock (_gate)
        {
            if (outcome.Status == TlsRptDeliveryStatus.Failed)
            {
                _reportFailuresInRow++;
                _lastReportError = $"{outcome.Domain}: {outcome.Detail}";
            }
            else if (outcome.Status == TlsRptDeliveryStatus.Delivered)
            {
                _reportFailuresInRow = 0;
            }
        }
    }

    /// <summary>A consistent copy of the current state.</summary>
    /// <returns>The snapshot.</returns>
    public MtaStsHealthSnapshot Snapshot()
    {
        lock (_gate)
        {
            return new MtaStsHealthSnapshot(_storeAnswered, _storeFailuresInRow, _storeWriteFailuresInRow, _lastStoreError,
                [.. _refreshFailures.Values], _reportFailuresInRow, _lastReportError);
        }
    }

    /// <summary>An <c>enforce</c> policy whose refreshes fail.</summary>
    /// <param name="Domain">The domain.</param>
    /// <param name="FailuresInRow">Consecutive failed refreshes.</param>
    /// <param name="ExpiresAt">When the cached policy expires.</param>
    /// <param name="Error">Why the last refresh failed.</param>
    internal sealed record RefreshFailure(string Domain, int FailuresInRow, DateTimeOffset? ExpiresAt, string Error);
}

/// <summary>A copy of <see cref="MtaStsHealthStatus"/>.</summary>
/// <param name="StoreAnswered">The persistent store answered at least once since start.</param>
/// <param name="StoreFailuresInRow">Store calls failed in a row (reads and writes).</param>
/// <param name="StoreWriteFailuresInRow">Store writes failed in a row.</param>
/// <param name="LastStoreError">The last store failure.</param>
/// <param name="RefreshFailures">The <c>enforce</c> policies whose last refresh failed.</param>
/// <param name="ReportFailuresInRow">TLS-RPT report deliveries failed in a row.</param>
/// <param name="LastReportError">The last failed report delivery.</param>
internal sealed record MtaStsHealthSnapshot(bool StoreAnswered, int StoreFailuresInRow, int StoreWriteFailuresInRow, string? LastStoreError,
    IReadOnlyList<MtaStsHealthStatus.RefreshFailure> RefreshFailures, int ReportFailuresInRow, string? LastReportError);
