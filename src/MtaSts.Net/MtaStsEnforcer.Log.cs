using Microsoft.Extensions.Logging;
using MtaSts.Discovery;

namespace MtaSts;

// Event ids by stage: 1xx discovery, 2xx fetch, 3xx parse, 4xx cache, 9xx internal.
public sealed partial class MtaStsEnforcer
{
    [LoggerMessage(100, LogLevel.Debug, "MTA-STS TXT lookup for {Domain}: {Status} in {ElapsedMs:0.0} ms", EventName = "TxtLookup")]
    private partial void LogTxtLookup(string domain, RecordLookupStatus status, double elapsedMs);

    [LoggerMessage(101, LogLevel.Warning, "MTA-STS TXT lookup for {Domain} failed temporarily and nothing is cached: {Detail}; fail closed: {FailClosed}", EventName = "DnsFailure")]
    private partial void LogDnsFailure(string domain, string detail, bool failClosed);

    [LoggerMessage(200, LogLevel.Information, "Fetched the MTA-STS policy of {Domain} (id {Id}): {Mode}, max_age {MaxAge} s, in {ElapsedMs:0.0} ms", EventName = "PolicyFetched")]
    private partial void LogPolicyFetched(string domain, string id, MtaStsMode mode, long maxAge, double elapsedMs);

    // Warning, except when the cached policy is mode none: no alerts for none (CACHE-7, FLOW-4).
    [LoggerMessage(EventId = 201, Message = "Fetching the MTA-STS policy of {Domain} (id {Id}) failed after {ElapsedMs:0.0} ms: {Failure}", EventName = "PolicyFetchFailed")]
    private partial void LogFetchFailed(LogLevel level, string domain, string id, MtaStsFailure failure, double elapsedMs);

    [LoggerMessage(202, LogLevel.Debug, "Not fetching the MTA-STS policy of {Domain} (id {Id}) before {RetryAfter:u}: the last fetch failed", EventName = "FetchBackoff")]
    private partial void LogFetchBackoff(string domain, string id, DateTimeOffset retryAfter);

    [LoggerMessage(300, LogLevel.Debug, "MTA-STS policy text of {Domain}: {Text}", EventName = "PolicyText")]
    private partial void LogPolicyText(string domain, string text);

    [LoggerMessage(301, LogLevel.Warning, "The MTA-STS record or policy of {Domain} deviates from RFC 8461; accepted because the meaning is plain: {Leniency}", EventName = "Leniency")]
    private partial void LogLeniency(string domain, string leniency);

    [LoggerMessage(400, LogLevel.Debug, "MTA-STS id of {Domain} unchanged ({Id}): cached policy is current", EventName = "IdUnchanged")]
    private partial void LogIdUnchanged(string domain, string id);

    // Warning on the send path; Debug for the refresher, which logs one summary per pass.
    [LoggerMessage(EventId = 401, Message = "Discovery for {Domain} failed; the cached MTA-STS policy still applies: {Failure}", EventName = "CachedPolicyKept")]
    private partial void LogCachedPolicyKept(LogLevel level, string domain, MtaStsFailure failure);

    [LoggerMessage(402, LogLevel.Warning, "The MTA-STS policy of {Domain} was weakened from {OldMode} to {NewMode}", EventName = "PolicyWeakened")]
    private partial void LogPolicyWeakened(string domain, MtaStsMode oldMode, MtaStsMode newMode);

    [LoggerMessage(403, LogLevel.Warning, "MTA-STS policy downgrade for {Domain} ({Kind}): {Detail}", EventName = "PolicyDowngrade")]
    private partial void LogDowngrade(string domain, string kind, string detail);

    [LoggerMessage(404, LogLevel.Debug, "Loaded the stored MTA-STS policy of {Domain} (id {Id})", EventName = "LoadedFromStore")]
    private partial void LogLoadedFromStore(string domain, string id);

    // Warning for a store's own failure; Debug while the store is bypassed (the store logs that once, as event 420).
    [LoggerMessage(EventId = 405, Message = "The MTA-STS policy store failed for {Domain}; continuing without it", EventName = "StoreFailed")]
    private partial void LogStoreFailed(LogLevel level, string domain, Exception exception);

    [LoggerMessage(407, LogLevel.Warning, "The MTA-STS policy store could not be read for {Domain}; until it answers the domain is treated as a DNS failure (fail closed: {FailClosed})", EventName = "StoreUnknown")]
    private partial void LogStoreUnknown(string domain, bool failClosed);

    [LoggerMessage(408, LogLevel.Warning, "The MTA-STS policy store returned an entry for {StoredDomain} when asked for {Domain}; ignored", EventName = "StoreWrongDomain")]
    private partial void LogStoreWrongDomain(string domain, string storedDomain);

    [LoggerMessage(409, LogLevel.Warning, "The stored MTA-STS policy of {Domain} claims a fetch time {FetchedAt:u} in the future; counted from now", EventName = "StoreFutureFetch")]
    private partial void LogStoreFutureFetch(string domain, DateTimeOffset fetchedAt);

    [LoggerMessage(901, LogLevel.Debug, "MTA-STS lookup for {Domain} abandoned: the enforcer was disposed ({Reason})", EventName = "ResolveAbandoned")]
    private partial void LogResolveAbandoned(string domain, string reason);

    [LoggerMessage(900, LogLevel.Error, "Unexpected error while resolving the MTA-STS policy of {Domain}", EventName = "UnexpectedError")]
    private partial void LogUnexpectedError(string domain, Exception exception);
}
