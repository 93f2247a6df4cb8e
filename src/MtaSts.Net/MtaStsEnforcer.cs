using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using MtaSts.Caching;
using MtaSts.Decisions;
using MtaSts.Discovery;
using MtaSts.Fetching;
using MtaSts.Internal;

namespace MtaSts;

/// <summary>
/// The MTA-STS pipeline: TXT lookup → HTTPS fetch → parse → cache (RFC 8461 §3, §5.1). Thread-safe; one instance per
/// application. Concurrent callers for one domain share one lookup (single-flight).
/// </summary>
public sealed partial class MtaStsEnforcer : IMtaStsEnforcer, IDisposable
{
    private readonly RecordLookup _lookup;
    private readonly PolicyFetcher _fetcher;
    private readonly PolicyCache _cache;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly EvaluationSettings _settings;
    private readonly MtaStsParsingMode _parsingMode;
    private readonly MtaStsDnsFailureBehavior _dnsFailureBehavior;
    private readonly TimeSpan _txtRecheckMinimum;
    private readonly TimeSpan _txtRecheckMaximum;
    private readonly ConcurrentDictionary<string, Task<MtaStsPolicyState>> _inFlight = new(StringComparer.Ordinal);

    private MtaStsEnforcer(MtaStsOptions options, TimeProvider timeProvider, ILoggerFactory loggerFactory)
    {
        options.Validate();
        _time = timeProvider;
        _logger = loggerFactory.CreateLogger<MtaStsEnforcer>();
        _parsingMode = options.ParsingMode;
        _dnsFailureBehavior = options.DnsFailureBehavior;
        _txtRecheckMinimum = options.TxtRecheckMinimum;
        _txtRecheckMaximum = options.TxtRecheckMaximum;
        _settings = new EvaluationSettings(timeProvider, options.MxTrustedRoots, options.RequireValidCertificateWithoutPolicy);
        var resolver = options.TxtResolver
            ?? new DnsClientTxtResolver(DnsClientTxtResolver.CreateClient([.. options.NameServers], options.DnsTimeout, options.DnsRetries));
        _lookup = new RecordLookup(resolver, options.ParsingMode);
        _fetcher = new PolicyFetcher(
            new FetchSettings(options.FetchTimeout, options.MaxPolicyBytes, options.UserAgent, options.PolicyHostTrustedRoots, options.PolicyHostConnectCallback),
            timeProvider);
        _cache = new PolicyCache(options.MaxCacheEntries);
    }

    /// <summary>Creates an enforcer for use without dependency injection.</summary>
    /// <param name="options">The options; <see langword="null"/> for the defaults.</param>
    /// <param name="timeProvider">The clock; <see langword="null"/> for <see cref="TimeProvider.System"/>.</param>
    /// <param name="loggerFactory">Where to log; <see langword="null"/> for no logging.</param>
    /// <returns>The enforcer. Dispose it when the application stops.</returns>
    /// <exception cref="ArgumentException">An option is out of range.</exception>
    public static MtaStsEnforcer Create(MtaStsOptions? options = null, TimeProvider? timeProvider = null, ILoggerFactory? loggerFactory = null) =>
        new(options ?? new MtaStsOptions(), timeProvider ?? TimeProvider.System, loggerFactory ?? NullLoggerFactory.Instance);

    /// <inheritdoc/>
    public ValueTask<MtaStsPolicyState> GetPolicyAsync(string recipientDomain, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(recipientDomain);
        cancellationToken.ThrowIfCancellationRequested();

        // FLOW-15: a cached answer younger than its TXT TTL is served without any I/O or allocation.
        var now = _time.GetUtcNow();
        var entry = _cache.Get(recipientDomain);
        if (entry is not null && IsFresh(entry, now))
        {
            return new ValueTask<MtaStsPolicyState>(entry.State);
        }

        if (!DomainName.TryNormalize(recipientDomain, out var domain, out var error))
        {
            return new ValueTask<MtaStsPolicyState>(new MtaStsPolicyState(recipientDomain, null, MtaStsPolicySource.None, null, null,
                new MtaStsFailure(MtaStsFailureKind.PolicyFetchError, error!, "no-policy-domain"), false, false, _settings));
        }

        if (!string.Equals(domain, recipientDomain, StringComparison.Ordinal))
        {
            entry = _cache.Get(domain);
            if (entry is not null && IsFresh(entry, now))
            {
                return new ValueTask<MtaStsPolicyState>(entry.State);
            }
        }

        return new ValueTask<MtaStsPolicyState>(SharedResolve(domain).WaitAsync(cancellationToken));
    }

    /// <inheritdoc/>
    public ValueTask<MtaStsPolicyState> RecheckAsync(string recipientDomain, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(recipientDomain);
        cancellationToken.ThrowIfCancellationRequested();
        if (!DomainName.TryNormalize(recipientDomain, out var domain, out _))
        {
            return GetPolicyAsync(recipientDomain, cancellationToken);
        }

        var entry = _cache.Get(domain);
        if (entry is not null)
        {
            _cache.Set(entry with { TxtFreshUntil = DateTimeOffset.MinValue }, _time.GetUtcNow()); // FLOW-5: ask DNS now
        }

        return new ValueTask<MtaStsPolicyState>(SharedResolve(domain).WaitAsync(cancellationToken));
    }

    /// <summary>Drops what is cached for one domain.</summary>
    /// <param name="recipientDomain">The domain, in any case, with or without a root dot.</param>
    public void Invalidate(string recipientDomain)
    {
        ArgumentNullException.ThrowIfNull(recipientDomain);
        if (DomainName.TryNormalize(recipientDomain, out var domain, out _))
        {
            _cache.Remove(domain);
        }
    }

    /// <inheritdoc/>
    public void Dispose() => _fetcher.Dispose();

    /// <summary>How many domains the cache holds (for tests and diagnostics).</summary>
    internal int CachedDomainCount => _cache.Count;

    // Single-flight: N concurrent callers for one domain share one TXT query and at most one fetch.
    private Task<MtaStsPolicyState> SharedResolve(string domain)
    {
        while (true)
        {
            if (_inFlight.TryGetValue(domain, out var running))
            {
                return running;
            }

            var completion = new TaskCompletionSource<MtaStsPolicyState>(TaskCreationOptions.RunContinuationsAsynchronously);
            if (_inFlight.TryAdd(domain, completion.Task))
            {
                _ = RunSharedAsync(domain, completion);
                return completion.Task;
            }
        }
    }

    private async Task RunSharedAsync(string domain, TaskCompletionSource<MtaStsPolicyState> completion)
    {
        MtaStsPolicyState state;
        try
        {
            state = await ResolveAsync(domain).ConfigureAwait(false);
        }
#pragma warning disable CA1031 // A bug below must not crash the send path: fail closed, temporarily.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            LogUnexpectedError(domain, ex);
            var cached = _cache.Get(domain);
            state = cached is not null && cached.HasValidPolicy(_time.GetUtcNow())
                ? cached.State
                : new MtaStsPolicyState(domain, null, MtaStsPolicySource.None, null, null,
                    new MtaStsFailure(MtaStsFailureKind.PolicyFetchError, $"internal error: {ex.GetType().Name}", "internal-error"), true, false, _settings);
        }

        // Leave the flight before completing it, so that no later caller is handed this finished result.
        _inFlight.TryRemove(domain, out _);
        completion.SetResult(state);
    }

    private static bool IsFresh(CacheEntry entry, DateTimeOffset now) =>
        now < entry.TxtFreshUntil && (entry.Policy is null || entry.HasValidPolicy(now));

    private DateTimeOffset TxtFreshUntil(DateTimeOffset now, TimeSpan ttl) =>
        now + (ttl < _txtRecheckMinimum ? _txtRecheckMinimum : ttl > _txtRecheckMaximum ? _txtRecheckMaximum : ttl);

    private MtaStsPolicyState NoPolicy(string domain, MtaStsFailure? failure, bool blocks, bool reportable, string? recordId = null) =>
        new(domain, null, MtaStsPolicySource.None, recordId, null, failure, blocks, reportable, _settings);

    private MtaStsPolicyState CachedState(CacheEntry cached, MtaStsFailure? failure) =>
        new(cached.Domain, cached.Policy, MtaStsPolicySource.Cache, cached.RecordId, cached.FetchedAt, failure, false,
            failure is not null && cached.Policy!.Mode != MtaStsMode.None, _settings);

    private MtaStsPolicyState Remember(CacheEntry entry, DateTimeOffset now)
    {
        _cache.Set(entry, now);
        return entry.State;
    }
}
