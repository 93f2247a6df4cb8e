using System.Collections.Concurrent;
using MtaSts.Discovery;

namespace MtaSts.Reporting;

// RPT-6, RPT-7: the _smtp._tls record, cached for its DNS TTL (at least a minute, at most a day). Found is null on a
// temporary DNS failure, which is retried and never cached. The cache is pruned of expired entries at each run and
// holds at most MaxDomainsPerDay entries.
internal sealed partial class TlsRptReporter
{
    private readonly ConcurrentDictionary<string, (TlsRptRecord? Record, string? Error, DateTimeOffset Until)> _records = new(StringComparer.Ordinal);

    /// <summary>How many TLS-RPT records are cached (for tests of the bound).</summary>
    internal int CachedRecordCount => _records.Count;

    private async Task<(bool? Found, TlsRptRecord? Record, string? Error)> DiscoverAsync(string domain, CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow();
        if (_records.TryGetValue(domain, out var cached) && now < cached.Until)
        {
            return (cached.Record is not null, cached.Record, cached.Error);
        }

        var answer = await _resolver.ResolveTxtAsync("_smtp._tls." + domain, cancellationToken).ConfigureAwait(false);
        if (answer.Status == MtaStsTxtLookupStatus.TemporaryFailure)
        {
            return (null, null, answer.Detail);
        }

        var found = TlsRptRecord.Select(answer.Records, out var record, out var error) == MtaStsRecordSelection.Found;
        for (var i = 0; found && i < record!.SkippedUris.Count; i++)
        {
            LogRuaSkipped(domain, record.SkippedUris[i], record.SkipReasons[i]);
        }

        var ttl = answer.TimeToLive < TimeSpan.FromMinutes(1) ? TimeSpan.FromMinutes(1) : answer.TimeToLive > TimeSpan.FromDays(1) ? TimeSpan.FromDays(1) : answer.TimeToLive;
        if (_records.Count < Math.Max(1, _options.MaxDomainsPerDay) || _records.ContainsKey(domain))
        {
            _records[domain] = (found ? record : null, error ?? answer.Detail, now + ttl);
        }

        return (found, record, error ?? answer.Detail);
    }

    private void PruneRecordCache()
    {
        var now = _time.GetUtcNow();
        foreach (var (domain, entry) in _records)
        {
            if (entry.Until <= now)
            {
                _records.TryRemove(domain, out _);
            }
        }
    }
}
