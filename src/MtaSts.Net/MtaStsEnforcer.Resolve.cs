using Microsoft.Extensions.Logging;
using System.Diagnostics;
using System.Runtime.CompilerServices;
using MtaSts.Caching;
using MtaSts.Discovery;
using MtaSts.Internal;
using MtaSts.Telemetry;

namespace MtaSts;

public sealed partial class MtaStsEnforcer
{
    private const string StoreUnavailable = "store-unavailable";

    // The pipeline, in protocol order (RFC 8461 §3, §5.1). Each stage is called once at most; only this method composes
    // them. forceFetch: the refresher's proactive fetch, whatever the TXT id says (CACHE-6). Deadlines are monotonic
    // timestamps (see CacheEntry); the wall clock only stamps fetch times.
    private async Task<MtaStsPolicyState> ResolveAsync(string domain, StrongBox<bool> fetched, bool forceFetch, CancellationToken cancellationToken)
    {
        var now = _time.GetTimestamp();
        var entry = _cache.Get(domain);
        var storeUnknown = false;
        if (entry is null || entry.StoreUnknown)
        {
            // CACHE-11: after a restart (or while the store was unreadable) the store may hold the policy.
            var (loaded, failed) = await LoadFromStoreAsync(domain, now, cancellationToken).ConfigureAwait(false);
            if (failed)
            {
                storeUnknown = true;
                if (entry is not null && now < entry.TxtFreshUntil)
                {
                    return entry.State; // still unknown; DNS was asked recently
                }
            }
            else
            {
                entry = loaded; // a store-unknown entry never holds a policy: what the store says replaces it
            }
        }

        var state = await DiscoverAsync(domain, entry, storeUnknown, forceFetch, fetched, cancellationToken).ConfigureAwait(false);
        return storeUnknown && state.Policy is null ? RememberStoreUnknown(domain, state) : state;
    }

    // storeUnknown: every entry written here is marked so, and so never served as a fresh hit, until the store answers.
    private async Task<MtaStsPolicyState> DiscoverAsync(string domain, CacheEntry? entry, bool storeUnknown, bool forceFetch, StrongBox<bool> fetched,
        CancellationToken cancellationToken)
    {
        var now = _time.GetTimestamp();
        var detailLevel = forceFetch ? LogLevel.Debug : LogLevel.Warning; // the refresher logs one summary per pass
        if (!forceFetch && entry is not null && entry.IsFresh(now))
        {
            return entry.State; // another flight just refreshed it
        }

        var cached = entry is not null && entry.HasValidPolicy(now) ? entry : null; // CACHE-2: expired policies are gone

        // 1. Discover: _mta-sts.<domain> TXT (TXT-1..14).
        var lookup = await _lookup.LookupAsync(domain, cancellationToken).ConfigureAwait(false);
        LogTxtLookup(domain, lookup.Status, _time.GetElapsedTime(now).TotalMilliseconds); // now: when the lookup started
        now = _time.GetTimestamp();

        switch (lookup.Status)
        {
            case RecordLookupStatus.TemporaryFailure:
            {
                var failure = new MtaStsFailure(MtaStsFailureKind.PolicyFetchError, lookup.Detail!, "dns-error");
                if (cached is not null)
                {
                    LogCachedPolicyKept(detailLevel, domain, failure); // TXT-14, FLOW-9: the cached policy applies; the failure is visible
                    var kept = MtaStsPolicyState.WithPolicy(domain, cached.Policy!, cached.RecordId, cached.FetchedAt, _settings, failure);
                    return Remember(storeUnknown, cached with { TxtFreshUntil = After(now, _txtRecheckMinimum), State = kept }, now);
                }

                var blocks = _dnsFailureBehavior == MtaStsDnsFailureBehavior.FailClosed;
                LogDnsFailure(domain, lookup.Detail!, blocks);
                return Remember(storeUnknown, CacheEntry.WithoutPolicy(NoPolicy(domain, failure, blocks, reportable: false), After(now, _txtRecheckMinimum)), now);
            }

            case RecordLookupStatus.NotFound:
            case RecordLookupStatus.Invalid:
            {
                if (cached is not null)
                {
                    // CACHE-3, SEC-3: a missing or broken TXT record never removes a cached policy.
                    if (cached.Policy!.Mode == MtaStsMode.Enforce)
                    {
                        Downgrade(domain, "record-vanished", $"the TXT record is gone or invalid while an enforce policy is cached: {lookup.Detail}");
                    }

                    return Remember(storeUnknown, cached with { TxtFreshUntil = TxtFreshUntil(now, lookup.TimeToLive) }, now);
                }

                var failure = lookup.Status == RecordLookupStatus.Invalid
                    ? new MtaStsFailure(MtaStsFailureKind.PolicyInvalid, lookup.Detail!, "txt-invalid")
                    : null;
                return Remember(storeUnknown, CacheEntry.WithoutPolicy(NoPolicy(domain, failure, blocks: false, reportable: false), TxtFreshUntil(now, lookup.TimeToLive)), now);
            }
        }

        var id = lookup.Record!.Id;
        var txtFreshUntil = TxtFreshUntil(now, lookup.TimeToLive);

        // 2. CACHE-4: the id is unchanged, the cached policy is current. CACHE-9: its lifetime is not extended.
        if (!forceFetch && cached is not null && string.Equals(cached.RecordId, id, StringComparison.Ordinal))
        {
            LogIdUnchanged(domain, id);
            var clean = cached.State.DiscoveryFailure is null ? cached.State : CachedState(cached, null); // discovery works again
            return Remember(storeUnknown, cached with { TxtFreshUntil = txtFreshUntil, FailedFetchId = null, State = clean }, now);
        }

        // FETCH-11: after a failed fetch, wait at least five minutes before fetching the same id again.
        if (entry is not null && string.Equals(entry.FailedFetchId, id, StringComparison.Ordinal) && now < entry.RetryFetchAfter)
        {
            LogFetchBackoff(domain, id, Timestamps.ToWallClock(_time, entry.RetryFetchAfter, now, _time.GetUtcNow()));
            return Remember(storeUnknown, entry with { TxtFreshUntil = Math.Min(txtFreshUntil, entry.RetryFetchAfter) }, now);
        }

        // 3. Fetch over HTTPS (FETCH-*), 4. parse (POL-*).
        var (policy, fetchFailure, elapsed) = await FetchAndParseAsync(domain, cancellationToken).ConfigureAwait(false);
        now = _time.GetTimestamp();

        if (policy is null)
        {
            // POL-18, CACHE-5: a failed fetch never weakens a cached policy; it is reported and backed off.
            var failure = fetchFailure!;
            var quiet = cached?.Policy!.Mode == MtaStsMode.None;
            LogFetchFailed(forceFetch ? LogLevel.Debug : quiet ? LogLevel.Information : LogLevel.Warning, domain, id, failure, elapsed.TotalMilliseconds);
            var retryAfter = After(now, MtaStsConstants.FetchBackoff);
            var until = Math.Min(txtFreshUntil, retryAfter);
            if (cached is not null)
            {
                var kept = CachedState(cached, failure);
                if (cached.Policy!.Mode != MtaStsMode.None)
                {
                    LogCachedPolicyKept(detailLevel, domain, failure); // CACHE-7: not for none
                }

                if (!string.Equals(cached.RecordId, id, StringComparison.Ordinal))
                {
                    Downgrade(domain, "fetch-failed-after-id-change", $"id {cached.RecordId} → {id}, but the new policy could not be fetched: {failure}");
                }

                return Remember(storeUnknown, cached with { TxtFreshUntil = until, FailedFetchId = id, RetryFetchAfter = retryAfter, State = kept }, now);
            }

            var none = NoPolicy(domain, failure, blocks: false, reportable: true, recordId: id); // FLOW-8
            return Remember(storeUnknown, CacheEntry.WithoutPolicy(none, until, id, retryAfter), now);
        }

        // 5. Cache. CACHE-8: a new valid policy always replaces the old one, even a weaker one.
        foreach (var leniency in policy.Leniencies.Concat(lookup.Record.Leniencies))
        {
            LogLeniency(domain, leniency);
        }

        LogPolicyFetched(domain, id, policy.Mode, (long)policy.MaxAge.TotalSeconds, elapsed.TotalMilliseconds);
        if (cached is not null)
        {
            ReportWeakening(domain, cached.Policy!, policy);
        }

        var fetchedAt = _time.GetUtcNow();
        var fresh = MtaStsPolicyState.WithPolicy(domain, policy, id, fetchedAt, _settings);
        fetched.Value = true;
        if (policy.MaxAge == TimeSpan.Zero)
        {
            _cache.Remove(domain); // POL-12: applies to this delivery only
            await StoreAsync(s => s.RemoveAsync(domain, CancellationToken.None), domain).ConfigureAwait(false);
            return fresh;
        }

        _cache.Set(new CacheEntry(fresh, txtFreshUntil, null, long.MinValue, After(now, policy.MaxAge)), now);
        await StoreAsync(s => s.SetAsync(new MtaStsStoredPolicy(domain, id, policy.Text, fetchedAt), CancellationToken.None), domain).ConfigureAwait(false);
        return fresh;
    }

    // The store could not be read and discovery found no policy: a policy may still be stored there (CACHE-3, CACHE-11),
    // so "no policy" is unknown, not absent. Treated as a DNS failure until the store answers; never cached as absent.
    private MtaStsPolicyState RememberStoreUnknown(string domain, MtaStsPolicyState found)
    {
        if (found.DiscoveryFailure?.ReasonCode == StoreUnavailable)
        {
            return found; // an entry made while the store was unknown (a back-off, a fresh TXT answer): already marked
        }

        var blocks = _dnsFailureBehavior == MtaStsDnsFailureBehavior.FailClosed;
        LogStoreUnknown(domain, blocks);
        var detail = $"the policy store could not be read and discovery found no policy ({found.DiscoveryFailure?.ToString() ?? "no record"}): a stored policy may apply";
        var state = NoPolicy(domain, new MtaStsFailure(MtaStsFailureKind.PolicyFetchError, detail, StoreUnavailable), blocks, reportable: false, found.RecordId);
        var now = _time.GetTimestamp();
        var entry = _cache.Get(domain);
        _cache.Set(entry is not null && entry.Policy is null
            ? entry with { State = state, StoreUnknown = true }
            : CacheEntry.WithoutPolicy(state, After(now, _txtRecheckMinimum)) with { StoreUnknown = true }, now);
        return state;
    }

    private async Task<(MtaStsPolicy? Policy, MtaStsFailure? Failure, TimeSpan Elapsed)> FetchAndParseAsync(string domain, CancellationToken cancellationToken)
    {
        using var activity = MtaStsTelemetry.ActivitySource.StartActivity("mtasts.policy.fetch", ActivityKind.Client);
        activity?.SetTag(MtaStsTelemetryTags.Domain, domain);
        var started = _time.GetTimestamp();
        var fetch = await _fetcher.FetchAsync(domain, cancellationToken).ConfigureAwait(false);
        var failure = fetch.Failure;
        MtaStsPolicy? policy = null;
        if (failure is null)
        {
            LogPolicyText(domain, fetch.Text!);
            if (!MtaStsPolicy.TryParse(fetch.Text!, _parsingMode, out policy, out var parseError))
            {
                failure = new MtaStsFailure(MtaStsFailureKind.PolicyInvalid, $"the policy of {domain} is invalid: {parseError}", "policy-syntax");
            }
        }

        var elapsed = _time.GetElapsedTime(started);
        if (failure is null)
        {
            _telemetry.FetchDuration.Record(elapsed.TotalSeconds);
        }
        else
        {
            _telemetry.FetchDuration.Record(elapsed.TotalSeconds, new KeyValuePair<string, object?>(MtaStsTelemetryTags.ErrorType, failure.ResultType));
            activity?.SetStatus(ActivityStatusCode.Error, failure.ResultType);
        }

        activity?.SetTag("mtasts.outcome", failure?.ResultType ?? "ok");
        return (policy, failure, elapsed);
    }

    // Policy-downgrade events: a cached enforce policy replaced by a weaker one, max_age cut sharply, the mx set changed.
    private void ReportWeakening(string domain, MtaStsPolicy old, MtaStsPolicy replacement)
    {
        if (replacement.Mode < old.Mode)
        {
            LogPolicyWeakened(domain, old.Mode, replacement.Mode);
            Downgrade(domain, "mode-weakened", $"{old.Mode} → {replacement.Mode}");
        }

        if (replacement.MaxAge < old.MaxAge / 2)
        {
            Downgrade(domain, "max-age-dropped", $"max_age {(long)old.MaxAge.TotalSeconds} → {(long)replacement.MaxAge.TotalSeconds} s");
        }

        var before = old.Mx.ToHashSet(StringComparer.OrdinalIgnoreCase);
        var after = replacement.Mx.ToHashSet(StringComparer.OrdinalIgnoreCase);
        if (!before.SetEquals(after) && old.Mode != MtaStsMode.None)
        {
            Downgrade(domain, after.IsProperSubsetOf(before) ? "mx-shrunk" : "mx-changed",
                $"mx [{string.Join(", ", old.Mx)}] → [{string.Join(", ", replacement.Mx)}]");
        }
    }

    private void Downgrade(string domain, string kind, string detail)
    {
        LogDowngrade(domain, kind, detail);
        _telemetry.Downgrades.Add(1, new KeyValuePair<string, object?>(MtaStsTelemetryTags.DowngradeKind, kind));
    }

    // A stored policy (file, shared cache) seeds the memory cache after a restart. Its TXT freshness is unknown, so DNS
    // is asked at once; the policy still applies if DNS or HTTPS are unreachable (CACHE-11). Failed: the store could not
    // be read (it threw, timed out, or its breaker is open): "unknown", never "absent".
    private async Task<(CacheEntry? Entry, bool Failed)> LoadFromStoreAsync(string domain, long now, CancellationToken cancellationToken)
    {
        if (_store is null)
        {
            return (null, false); // memory only: the cache is the one copy
        }

        MtaStsStoredPolicy? stored;
        try
        {
            stored = await _store.GetAsync(domain, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
#pragma warning disable CA1031 // The store is a seam the application owns: whatever it throws means "could not be read".
        catch (Exception ex)
#pragma warning restore CA1031
        {
            LogStoreFailed(ex is PolicyStoreUnavailableException { InnerException: Polly.CircuitBreaker.BrokenCircuitException } ? LogLevel.Debug : LogLevel.Warning, domain, ex);
            return (null, true);
        }

        if (stored is null)
        {
            return (null, false);
        }

        if (!string.Equals(stored.Domain, domain, StringComparison.Ordinal))
        {
            LogStoreWrongDomain(domain, stored.Domain); // a custom store's bug must not apply one domain's policy to another
            return (null, false);
        }

        var wallNow = _time.GetUtcNow();
        var fetchedAt = stored.FetchedAt;
        if (fetchedAt > wallNow)
        {
            LogStoreFutureFetch(domain, fetchedAt); // a clock that ran ahead, or a forged entry: never trust it past max_age from now
            fetchedAt = wallNow;
        }

        if (!MtaStsPolicy.TryParse(stored.PolicyText, _parsingMode, out var policy, out _) || wallNow > fetchedAt + policy!.MaxAge)
        {
            return (null, false);
        }

        var state = MtaStsPolicyState.WithPolicy(domain, policy, stored.RecordId, fetchedAt, _settings);
        var entry = new CacheEntry(state, long.MinValue, null, long.MinValue, After(now, fetchedAt + policy.MaxAge - wallNow));
        _cache.Set(entry, now);
        LogLoadedFromStore(domain, stored.RecordId);
        return (entry, false);
    }

    // The store is a seam the application owns: whatever it throws is logged, never passed to the send path.
    private async ValueTask StoreAsync(Func<IMtaStsPolicyStore, ValueTask> action, string domain)
    {
        if (_store is null)
        {
            return;
        }

        try
        {
            await action(_store).ConfigureAwait(false);
        }
#pragma warning disable CA1031
        catch (Exception ex)
#pragma warning restore CA1031
        {
            LogStoreFailed(ex is PolicyStoreUnavailableException { InnerException: Polly.CircuitBreaker.BrokenCircuitException } ? LogLevel.Debug : LogLevel.Warning, domain, ex);
        }
    }

}
