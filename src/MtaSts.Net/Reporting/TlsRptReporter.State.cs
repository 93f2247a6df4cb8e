namespace MtaSts.Reporting;

// The reporter's state lives in the state store: counters move there from the recorder (only ever added, so senders
// sharing a store never overwrite each other), and each domain-day is sent under a lease and marked sent.
//  - A failed save puts the counters back into the recorder; they go with the next save (D).
//  - Saved only when something was recorded since the last save (G).
//  - Sent markers expire once no run can send their day any more (G).
internal sealed partial class TlsRptReporter
{
    private readonly ITlsRptStateStore _store;
    private readonly SemaphoreSlim _saving = new(1, 1);

    /// <summary>
    /// Moves the sessions recorded since the last save to the state store (also done before every send). A store that
    /// fails is logged and the counters are kept for the next save: this never throws for a failing store.
    /// </summary>
    /// <param name="cancellationToken">Cancels waiting for another save.</param>
    /// <returns>A task that completes when the counters are saved.</returns>
    public async Task SaveStateAsync(CancellationToken cancellationToken = default) => await FlushAsync(cancellationToken).ConfigureAwait(false);

    private async Task<bool> FlushAsync(CancellationToken cancellationToken)
    {
        await _saving.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var keepFrom = DateOnly.FromDateTime(_time.GetUtcNow().UtcDateTime).AddDays(-1);
            var counts = _recorder.Drain(keepFrom);
            if (counts.Count == 0)
            {
                return true;
            }

            try
            {
                // Not the caller's token: once drained, the counters are either in the store or back in the recorder.
                if (await _store.AddAsync(counts, CancellationToken.None).ConfigureAwait(false) is > 0 and var dropped)
                {
                    LogStoreDropped(dropped, _options.MaxDomainsPerDay);
                }

                return true;
            }
#pragma warning disable CA1031 // the store may be remote; a failure keeps the counters for the next save
            catch (Exception ex)
#pragma warning restore CA1031
            {
                var applied = ex is TlsRptStateStoreException partial ? partial.Applied : 0;
                _recorder.Restore(counts.Skip(applied));
                LogStateUnreadable("counters", ex.Message);
                return false;
            }
        }
        finally
        {
            _saving.Release();
        }
    }

    // After a delivery: a store failure here is logged; the report went out, so the outcome stays Delivered.
    private async Task MarkSentAsync(string domain, DateOnly day, string owner, DateTimeOffset keepUntil)
    {
        try
        {
            await _store.CompleteAsync(domain, day, owner, keepUntil, CancellationToken.None).ConfigureAwait(false);
        }
#pragma warning disable CA1031 // logged; the lease lapses and the sent report's counters stay until a later run
        catch (Exception ex)
#pragma warning restore CA1031
        {
            LogStateUnreadable($"sent {day:yyyy-MM-dd} {domain}", ex.Message);
        }
    }

    private async Task ReleaseAsync(string domain, DateOnly day, string owner)
    {
        try
        {
            await _store.ReleaseAsync(domain, day, owner, CancellationToken.None).ConfigureAwait(false);
        }
#pragma warning disable CA1031 // logged; the lease lapses by itself
        catch (Exception ex)
#pragma warning restore CA1031
        {
            LogStateUnreadable($"lease {day:yyyy-MM-dd} {domain}", ex.Message);
        }
    }
}
