using System.Globalization;
using MtaSts.Caching;
using MtaSts.Health;

namespace MtaSts.HealthChecks;

/// <summary>
/// The health check's read of the persistent store, shared by every check of the application: at most one read is in
/// flight. A check that arrives while one runs waits for that read (bounded by its own timeout and cancellation)
/// instead of starting another, so a store that hangs while the endpoint is polled holds one read, not one per poll.
/// The read's outcome feeds <see cref="MtaStsHealthStatus"/> whenever it comes, even after every waiting check gave up.
/// </summary>
internal sealed class StoreProbe(IMtaStsPolicyStore? store, MtaStsHealthStatus status)
{
    /// <summary>The domain read by the probe: reserved (RFC 2606), never written.</summary>
    internal const string ProbeKey = "mtasts-health-probe.invalid";

    private readonly Lock _gate = new();
    private Task? _running;
    private long _startedAt;
    private int _started;

    /// <summary>How many reads were started since the application started.</summary>
    internal int Started => Volatile.Read(ref _started);

    /// <summary>Waits for the read in flight, starting one if none is, for at most <paramref name="timeout"/>.</summary>
    /// <param name="timeout">How long this check waits; also how long a new read may take before it is asked to stop.</param>
    /// <param name="cancellationToken">The check's cancellation.</param>
    /// <returns>A task that completes when the read answered or this check stopped waiting.</returns>
    public async Task WaitAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        if (store is null)
        {
            return; // the in-memory store: nothing to probe
        }

        Task running;
        long startedAt;
        lock (_gate)
        {
            if (_running is null || _running.IsCompleted)
            {
                _startedAt = TimeProvider.System.GetTimestamp();
                _running = Task.Run(() => ReadAsync(timeout), CancellationToken.None);
                _started++;
            }

            running = _running;
            startedAt = _startedAt;
        }

        try
        {
            await running.WaitAsync(timeout, TimeProvider.System, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            var waiting = TimeProvider.System.GetElapsedTime(startedAt).TotalSeconds;
            status.StoreFailed(write: false, string.Create(CultureInfo.InvariantCulture,
                $"no answer within {timeout.TotalSeconds:0.###} s (the health probe's read has been waiting {waiting:0.#} s)"));
        }
    }

    private async Task ReadAsync(TimeSpan timeout)
    {
        using var limit = new CancellationTokenSource(timeout); // a store that honours it stops; one that does not stays the only read
        try
        {
            await store!.GetAsync(ProbeKey, limit.Token).ConfigureAwait(false);
            status.StoreSucceeded(write: false);
        }
#pragma warning disable CA1031 // any failure of the store is what the probe reports
        catch (Exception ex)
#pragma warning restore CA1031
        {
            status.StoreFailed(write: false, ex is OperationCanceledException ? string.Create(CultureInfo.InvariantCulture,
                $"no answer within {timeout.TotalSeconds:0.###} s") : ex.Message);
        }
    }
}
