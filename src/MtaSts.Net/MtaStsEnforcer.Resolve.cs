using MtaSts.Caching;
using MtaSts.Discovery;
using MtaSts.Internal;

namespace MtaSts;

public sealed partial class MtaStsEnforcer
{
    // The pipeline, in protocol order (RFC 8461 §3, §5.1). Each stage is called once at most; only this method composes them.
    private async Task<MtaStsPolicyState> ResolveAsync(string domain)
    {
        var now = _time.GetUtcNow();
        var entry = _cache.Get(domain);
        if (entry is not null && IsFresh(entry, now))
        {
            return entry.State; // another flight just refreshed it
        }

        var cached = entry is not null && entry.HasValidPolicy(now) ? entry : null; // CACHE-2: expired policies are gone

        // 1. Discover: _mta-sts.<domain> TXT (TXT-1..14).
        var started = _time.GetTimestamp();
        var lookup = await _lookup.LookupAsync(domain, CancellationToken.None).ConfigureAwait(false);
        now = _time.GetUtcNow();
        LogTxtLookup(domain, lookup.Status, _time.GetElapsedTime(started).TotalMilliseconds);

        switch (lookup.Status)
        {
            case RecordLookupStatus.TemporaryFailure:
            {
                var failure = new MtaStsFailure(MtaStsFailureKind.PolicyFetchError, lookup.Detail!, "dns-error");
                if (cached is not null)
                {
                    LogCachedPolicyKept(domain, failure.ToString()); // TXT-14, FLOW-9
                    return Remember(cached with { TxtFreshUntil = now + _txtRecheckMinimum }, now);
                }

                var blocks = _dnsFailureBehavior == MtaStsDnsFailureBehavior.FailClosed;
                LogDnsFailure(domain, lookup.Detail!, blocks);
                var state = NoPolicy(domain, failure, blocks, reportable: false);
                return Remember(new CacheEntry(state, now + _txtRecheckMinimum, null, now), now);
            }

            case RecordLookupStatus.NotFound:
            case RecordLookupStatus.Invalid:
            {
                if (cached is not null)
                {
                    // CACHE-3, SEC-3: a missing or broken TXT record never removes a cached policy.
                    if (cached.Policy!.Mode != MtaStsMode.None)
                    {
                        LogRecordGoneWithCachedPolicy(domain, cached.Policy.Mode, lookup.Detail!);
                    }

                    return Remember(cached with { TxtFreshUntil = TxtFreshUntil(now, lookup.TimeToLive) }, now);
                }

                var failure = lookup.Status == RecordLookupStatus.Invalid
                    ? new MtaStsFailure(MtaStsFailureKind.PolicyInvalid, lookup.Detail!, "txt-invalid")
                    : null;
                var state = NoPolicy(domain, failure, blocks: false, reportable: false);
                return Remember(new CacheEntry(state, TxtFreshUntil(now, lookup.TimeToLive), null, now), now);
            }
        }

        var id = lookup.Record!.Id;
        var txtFreshUntil = TxtFreshUntil(now, lookup.TimeToLive);

        // 2. CACHE-4: the id is unchanged, the cached policy is current. CACHE-9: its lifetime is not extended.
        if (cached is not null && string.Equals(cached.RecordId, id, StringComparison.Ordinal))
        {
            LogIdUnchanged(domain, id);
            return Remember(cached with { TxtFreshUntil = txtFreshUntil, FailedFetchId = null }, now);
        }

        // FETCH-11: after a failed fetch, wait at least five minutes before fetching the same id again.
        if (entry is not null && string.Equals(entry.FailedFetchId, id, StringComparison.Ordinal) && now < entry.RetryFetchAfter)
        {
            LogFetchBackoff(domain, id, entry.RetryFetchAfter);
            return Remember(entry with { TxtFreshUntil = Min(txtFreshUntil, entry.RetryFetchAfter) }, now);
        }

        // 3. Fetch over HTTPS (FETCH-*), 4. parse (POL-*).
        started = _time.GetTimestamp();
        var fetch = await _fetcher.FetchAsync(domain, CancellationToken.None).ConfigureAwait(false);
        now = _time.GetUtcNow();
        var fetchFailure = fetch.Failure;
        MtaStsPolicy? policy = null;
        if (fetchFailure is null)
        {
            LogPolicyText(domain, fetch.Text!);
            if (!MtaStsPolicy.TryParse(fetch.Text!, _parsingMode, out policy, out var parseError))
            {
                fetchFailure = new MtaStsFailure(MtaStsFailureKind.PolicyInvalid, $"the policy of {domain} is invalid: {parseError}", "policy-syntax");
            }
        }

        if (policy is null)
        {
            // POL-18, CACHE-5: a failed fetch never weakens a cached policy; it is reported and backed off.
            var failure = fetchFailure!;
            LogFetchFailed(domain, id, failure.ToString(), _time.GetElapsedTime(started).TotalMilliseconds);
            var retryAfter = now + MtaStsConstants.FetchBackoff;
            var until = Min(txtFreshUntil, retryAfter);
            if (cached is not null)
            {
                var kept = CachedState(cached, failure);
                LogCachedPolicyKept(domain, failure.ToString());
                _cache.Set(cached with { TxtFreshUntil = until, FailedFetchId = id, RetryFetchAfter = retryAfter, State = kept }, now);
                return kept;
            }

            var none = NoPolicy(domain, failure, blocks: false, reportable: true, recordId: id); // FLOW-8
            return Remember(new CacheEntry(none, until, id, retryAfter), now);
        }

        // 5. Cache. CACHE-8: a new valid policy always replaces the old one, even a weaker one.
        foreach (var leniency in policy.Leniencies.Concat(lookup.Record.Leniencies))
        {
            LogLeniency(domain, leniency);
        }

        LogPolicyFetched(domain, id, policy.Mode, (long)policy.MaxAge.TotalSeconds, _time.GetElapsedTime(started).TotalMilliseconds);
        if (cached is not null && policy.Mode < cached.Policy!.Mode)
        {
            LogPolicyWeakened(domain, cached.Policy.Mode, policy.Mode);
        }

        var fresh = new MtaStsPolicyState(domain, policy, MtaStsPolicySource.Fetched, id, now, null, false, false, _settings);
        if (policy.MaxAge == TimeSpan.Zero)
        {
            _cache.Remove(domain); // POL-12: applies to this delivery only
            return fresh;
        }

        var hit = new MtaStsPolicyState(domain, policy, MtaStsPolicySource.Cache, id, now, null, false, false, _settings);
        _cache.Set(new CacheEntry(hit, txtFreshUntil, null, now), now);
        return fresh;
    }

    private static DateTimeOffset Min(DateTimeOffset a, DateTimeOffset b) => a < b ? a : b;
}
