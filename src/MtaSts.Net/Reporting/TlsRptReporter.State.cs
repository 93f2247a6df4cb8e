using System.Globalization;
using MtaSts.Caching;

namespace MtaSts.Reporting;

// The reporter's persisted state: the counters and the ids of sent reports, under this instance's keys.
//  - Nothing is written before it was read (a failed load is retried at the next save or run), so one run never
//    replaces what another stored.
//  - A new instance whose keys are empty adopts the state of the keys used before instance ids (the machine name) once,
//    and empties them after its first save, so that no other instance adopts them too.
//  - Saved only when it changed; sent ids are kept with their send time and pruned after MaxReportAge plus a day
//    (no older day can be sent again, so no older id is ever needed).
public sealed partial class TlsRptReporter
{
    private readonly string _countersKey;
    private readonly string _sentKey;
    private readonly string _legacyKeySuffix = new([.. Environment.MachineName.Where(char.IsAsciiLetterOrDigit)]);
    private bool _clearLegacy;
    private readonly IMtaStsPolicyStore? _store;
    private readonly Dictionary<string, DateTimeOffset> _sent = new(StringComparer.Ordinal);
    private readonly Lock _stateLock = new();
    private readonly SemaphoreSlim _saving = new(1, 1);
    private Task<bool>? _loading;
    private volatile bool _loaded;
    private long _sentVersion;
    private long _savedSentVersion = -1;
    private long _savedCountersVersion = -1;

    /// <summary>
    /// Loads the saved counters and sent reports (they are added to what is recorded already). Done once; a failed load
    /// is logged and tried again by the next call, save or send.
    /// </summary>
    /// <param name="cancellationToken">Cancels waiting for the load.</param>
    /// <returns><see langword="true"/> when the state is loaded (or there is no store).</returns>
    public async Task<bool> LoadStateAsync(CancellationToken cancellationToken = default) => await TryLoadAsync(cancellationToken).ConfigureAwait(false);

    /// <summary>Saves the counters and the sent reports when they changed since the last save; also done after every send. Never throws for a failing store.</summary>
    /// <param name="cancellationToken">Cancels the save.</param>
    /// <returns>A task that completes when the state is saved.</returns>
    public async Task SaveStateAsync(CancellationToken cancellationToken = default)
    {
        if (_store is null || !await TryLoadAsync(cancellationToken).ConfigureAwait(false))
        {
            return; // D: never overwrite saved state that was not read
        }

        await _saving.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var countersVersion = _recorder.Version;
            if (countersVersion != _savedCountersVersion)
            {
                await _store.SetStateAsync(_countersKey, _recorder.ExportJson(), cancellationToken).ConfigureAwait(false);
                _savedCountersVersion = countersVersion;
            }

            string? sent = null;
            long sentVersion;
            lock (_stateLock)
            {
                sentVersion = _sentVersion;
                if (sentVersion != _savedSentVersion)
                {
                    sent = string.Join('\n', _sent.Select(s => $"{s.Key}\t{s.Value.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture)}"));
                }
            }

            if (sent is not null)
            {
                await _store.SetStateAsync(_sentKey, sent, cancellationToken).ConfigureAwait(false);
                _savedSentVersion = sentVersion;
            }

            if (_clearLegacy)
            {
                await _store.SetStateAsync("tlsrpt-counters-" + _legacyKeySuffix, string.Empty, cancellationToken).ConfigureAwait(false);
                await _store.SetStateAsync("tlsrpt-sent-" + _legacyKeySuffix, string.Empty, cancellationToken).ConfigureAwait(false);
                _clearLegacy = false;
            }
        }
#pragma warning disable CA1031 // the store is the application's; a failure (a timeout surfacing as a cancellation too) is logged and retried at the next save
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
#pragma warning restore CA1031
        {
            LogStateUnreadable(_countersKey, ex.Message);
        }
        finally
        {
            _saving.Release();
        }
    }

    private Task<bool> TryLoadAsync(CancellationToken cancellationToken)
    {
        if (_loaded || _store is null)
        {
            return Task.FromResult(true);
        }

        Task<bool> loading;
        lock (_stateLock)
        {
            if (_loading is null || (_loading.IsCompleted && !_loaded))
            {
                _loading = LoadOnceAsync(); // D: a failed load is tried again
            }

            loading = _loading;
        }

        return loading.WaitAsync(cancellationToken);
    }

    private async Task<bool> LoadOnceAsync()
    {
        string? counters, sent;
        try
        {
            counters = await _store!.GetStateAsync(_countersKey).ConfigureAwait(false);
            sent = await _store.GetStateAsync(_sentKey).ConfigureAwait(false);
            if (counters is null && sent is null && _countersKey != "tlsrpt-counters-" + _legacyKeySuffix)
            {
                counters = await _store.GetStateAsync("tlsrpt-counters-" + _legacyKeySuffix).ConfigureAwait(false);
                sent = await _store.GetStateAsync("tlsrpt-sent-" + _legacyKeySuffix).ConfigureAwait(false);
                _clearLegacy = counters is { Length: > 0 } || sent is { Length: > 0 };
            }
        }
#pragma warning disable CA1031 // unreadable state is logged; nothing is written until it is read
        catch (Exception ex)
#pragma warning restore CA1031
        {
            LogStateUnreadable(_countersKey, ex.Message);
            return false;
        }

        try
        {
            if (counters is { Length: > 0 })
            {
                _recorder.ImportJson(counters);
            }
        }
        catch (Exception ex) when (ex is System.Text.Json.JsonException or FormatException or InvalidOperationException)
        {
            LogStateCorrupt(_countersKey, ex.Message); // read but unusable: replaced at the next save
        }

        lock (_stateLock)
        {
            var now = _time.GetUtcNow();
            foreach (var line in (sent ?? string.Empty).Split('\n', StringSplitOptions.RemoveEmptyEntries))
            {
                var tab = line.IndexOf('\t', StringComparison.Ordinal);
                var at = tab > 0 && long.TryParse(line.AsSpan(tab + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var seconds)
                    ? DateTimeOffset.FromUnixTimeSeconds(Math.Min(seconds, now.ToUnixTimeSeconds())) : now; // older saves hold ids only
                _sent.TryAdd(tab > 0 ? line[..tab] : line, at);
            }

            _sentVersion++;
        }

        _loaded = true;
        return true;
    }

    private bool IsSent(string reportId)
    {
        lock (_stateLock)
        {
            return _sent.ContainsKey(reportId);
        }
    }

    private void MarkSent(string reportId)
    {
        lock (_stateLock)
        {
            _sent[reportId] = _time.GetUtcNow();
            _sentVersion++;
        }
    }

    // G: sent ids are needed only while their day could still be sent.
    private void PruneSent()
    {
        var before = Saturating(Saturating(_time.GetUtcNow(), -_options.MaxReportAge), TimeSpan.FromDays(-1));
        lock (_stateLock)
        {
            var old = _sent.Where(s => s.Value < before).Select(s => s.Key).ToList();
            foreach (var id in old)
            {
                _sent.Remove(id);
            }

            if (old.Count > 0)
            {
                _sentVersion++;
            }
        }
    }
}
