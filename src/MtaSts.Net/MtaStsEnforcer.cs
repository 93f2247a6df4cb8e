using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using DnsClient;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using MtaSts.Caching;
using MtaSts.Decisions;
using MtaSts.Discovery;
using MtaSts.Fetching;
using MtaSts.Internal;
using MtaSts.Telemetry;

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
    private readonly IMtaStsPolicyStore? _store;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly MtaStsTelemetry _telemetry;
    private readonly EvaluationSettings _settings;
    private readonly MtaStsParsingMode _parsingMode;
    private readonly MtaStsDnsFailureBehavior _dnsFailureBehavior;
    private readonly TimeSpan _txtRecheckMinimum;
    private readonly TimeSpan _txtRecheckMaximum;
    private readonly ConcurrentDictionary<string, Task<MtaStsPolicyState>> _inFlight = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stopping = new();
    private readonly CancellationToken _stoppingToken;
    private readonly List<IDisposable> _owned;
    private readonly CoarseClock? _coarse;

    private MtaStsEnforcer(MtaStsOptions options, EnforcerParts parts, HttpClient client, IMtaStsPolicyStore? store, List<IDisposable> owned)
    {
        _time = parts.TimeProvider;
        _logger = parts.LoggerFactory.CreateLogger<MtaStsEnforcer>();
        _telemetry = parts.Telemetry;
        _parsingMode = options.ParsingMode;
        _dnsFailureBehavior = options.DnsFailureBehavior;
        _txtRecheckMinimum = options.TxtRecheckMinimum;
        _txtRecheckMaximum = options.TxtRecheckMaximum;
        _settings = new EvaluationSettings(_time, options.MxTrustedRoots, options.RequireValidCertificateWithoutPolicy, _telemetry);
        Dns = parts.Dns;
        _lookup = new RecordLookup(parts.TxtResolver ?? new DnsClientTxtResolver(parts.Dns.Value), options.ParsingMode);
        _fetcher = new PolicyFetcher(client, FetchSettings.From(options), _time);
        _cache = new PolicyCache(options.MaxCacheEntries);
        _store = store;
        _owned = owned;
        _stoppingToken = _stopping.Token; // read after disposal too
        _coarse = CoarseClock.For(_time);
    }

    /// <summary>Creates an enforcer for use without dependency injection, with an in-memory cache.</summary>
    /// <param name="options">The options; <see langword="null"/> for the defaults.</param>
    /// <param name="timeProvider">The clock; <see langword="null"/> for <see cref="TimeProvider.System"/>.</param>
    /// <param name="loggerFactory">Where to log; <see langword="null"/> for no logging.</param>
    /// <param name="store">Where policies are kept beyond memory, so that they survive restarts (a <see cref="FilePolicyStore"/>,
    /// a shared cache); <see langword="null"/> for memory only.</param>
    /// <returns>The enforcer. Dispose it when the application stops.</returns>
    /// <exception cref="ArgumentException">An option is out of range; the message names each.</exception>
    public static MtaStsEnforcer Create(MtaStsOptions? options = null, TimeProvider? timeProvider = null, ILoggerFactory? loggerFactory = null,
        IMtaStsPolicyStore? store = null)
    {
        options ??= new MtaStsOptions();
        var telemetry = new MtaStsTelemetry(null);
        try
        {
            var parts = new EnforcerParts(timeProvider ?? TimeProvider.System, loggerFactory ?? NullLoggerFactory.Instance, telemetry,
                EnforcerParts.DnsFor(options), Store: store);
            return Compose(options, parts, [telemetry]);
        }
        catch
        {
            telemetry.Dispose();
            throw;
        }
    }

    /// <summary>
    /// The one composition root, used by <see cref="Create"/> and by the container: the policy-host HTTP client with its
    /// certificate checks and retries, the in-memory cache, and the persistent store (if any) behind its time limit and
    /// breaker.
    /// </summary>
    /// <param name="options">The options, validated here.</param>
    /// <param name="parts">The services the pipeline is built from.</param>
    /// <param name="owned">Disposed with the enforcer (more are added here).</param>
    internal static MtaStsEnforcer Compose(MtaStsOptions options, EnforcerParts parts, List<IDisposable> owned)
    {
        var rules = new DependencyInjection.OptionsRules(string.Empty);
        options.Check(rules);
        if (rules.Problems.Count > 0)
        {
            throw new ArgumentException("Invalid MTA-STS options: " + string.Join(" ", rules.Problems), nameof(options));
        }

        var count = owned.Count;
        try
        {
            var check = new PolicyHostCertificateCheck(options.PolicyHostTrustedRoots, parts.TimeProvider);
            var client = new HttpClient(PolicyHttpHandler.Create(FetchSettings.From(options), check), disposeHandler: true) { Timeout = Timeout.InfiniteTimeSpan };
            owned.Add(client);

            // Reliability: a persistent store is bounded by StoreTimeout, broken after repeated failures and written in
            // the background, so that a hung or dead store never stalls a lookup.
            var store = parts.Store is null ? null : ResilientPolicyStore.Around(parts.Store, options, parts.TimeProvider, parts.LoggerFactory, owned, parts.Health);
            return new MtaStsEnforcer(options, parts, client, store, owned);
        }
        catch
        {
            owned.Skip(count).ToList().ForEach(o => o.Dispose());
            throw;
        }
    }

    /// <summary>The DNS client shared by discovery, MX lookups and TLS-RPT discovery.</summary>
    internal Lazy<ILookupClient> Dns { get; }

    /// <inheritdoc/>
    public ValueTask<MtaStsPolicyState> GetPolicyAsync(string recipientDomain, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(recipientDomain);
        cancellationToken.ThrowIfCancellationRequested();

        // FLOW-15: a cached answer younger than its TXT TTL is served without any I/O or allocation, and (with the
        // system clock) without reading the clock: an entry still fresh a full coarse period (plus slack) after the
        // coarse reading is certainly fresh now, so no deadline is overrun; anything closer reads the exact clock.
        var entry = _cache.Get(recipientDomain);
        var coarse = _coarse;
        if (entry is not null && coarse is not null)
        {
            var now = coarse.Now;
            if (entry.IsFreshInCache(now + coarse.PeriodTicks))
            {
                entry.Touch(now);
                return new ValueTask<MtaStsPolicyState>(entry.State);
            }
        }

        return GetPolicyUncertainAsync(recipientDomain, entry, cancellationToken);
    }

    // Everything but the certain hit, apart so that the hit stays small enough to inline into the caller: the exact
    // clock (the only clock read with a test clock), normalising the name, and discovery.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private ValueTask<MtaStsPolicyState> GetPolicyUncertainAsync(string recipientDomain, CacheEntry? entry, CancellationToken cancellationToken)
    {
        var now = _time.GetTimestamp();
        if (entry is not null && entry.IsFresh(now))
        {
            entry.Touch(now);
            return new ValueTask<MtaStsPolicyState>(entry.State);
        }

        if (!DomainName.TryNormalize(recipientDomain, out var domain, out var error))
        {
            return new ValueTask<MtaStsPolicyState>(MtaStsPolicyState.WithoutPolicy(recipientDomain,
                new MtaStsFailure(MtaStsFailureKind.NoPolicyDomain, error!, "no-policy-domain"), _settings));
        }

        if (!string.Equals(domain, recipientDomain, StringComparison.Ordinal))
        {
            entry = _cache.Get(domain);
            if (entry is not null && entry.IsFresh(now))
            {
                entry.Touch(now);
                return new ValueTask<MtaStsPolicyState>(entry.State);
            }
        }

        ObjectDisposedException.ThrowIf(_stopping.IsCancellationRequested, this);
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
            _cache.Set(entry with { TxtFreshUntil = long.MinValue }, _time.GetTimestamp()); // FLOW-5: ask DNS now
        }

        ObjectDisposedException.ThrowIf(_stopping.IsCancellationRequested, this);
        return new ValueTask<MtaStsPolicyState>(SharedResolve(domain).WaitAsync(cancellationToken));
    }

    /// <summary>Drops what is cached for one domain, in memory and in the store: the next lookup starts afresh.</summary>
    /// <param name="recipientDomain">The domain, in any case, with or without a root dot.</param>
    /// <param name="cancellationToken">Cancels the removal from the store.</param>
    /// <returns>A task that completes when the domain is forgotten.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="recipientDomain"/> is null.</exception>
    public async ValueTask InvalidateAsync(string recipientDomain, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(recipientDomain);
        if (DomainName.TryNormalize(recipientDomain, out var domain, out _))
        {
            _cache.Remove(domain);
            await StoreAsync(s => s.RemoveAsync(domain, cancellationToken), domain).ConfigureAwait(false);
        }
    }

    /// <summary>Drops every cached policy, in memory and in the store.</summary>
    /// <param name="cancellationToken">Cancels the purge of the store.</param>
    /// <returns>A task that completes when everything is forgotten.</returns>
    public async ValueTask InvalidateAllAsync(CancellationToken cancellationToken = default)
    {
        _cache.Clear();
        await StoreAsync(s => s.ClearAsync(cancellationToken), "*").ConfigureAwait(false);
    }

    /// <summary>
    /// Stops the enforcer: lookups in flight end with a temporary failure (logged at Debug level: cancelled work is not
    /// an error), later lookups that need I/O throw <see cref="ObjectDisposedException"/>, and what it owns is released.
    /// </summary>
    public void Dispose()
    {
        if (_stopping.IsCancellationRequested)
        {
            return;
        }

        _stopping.Cancel();
        _owned.ForEach(o => o.Dispose());
        _stopping.Dispose();
    }

    /// <summary>The states a cache hit would return now, for the refresher.</summary>
    internal IEnumerable<MtaStsPolicyState> CachedStates() => _cache.Entries.Select(e => e.State);

    /// <summary>CACHE-6: fetches the live policy whatever the TXT id says; a failure keeps the cached policy.</summary>
    /// Goes through the same single-flight and catch-all as lookups: a refresh never races a lookup of the same domain
    /// (one could otherwise overwrite the other's newer entry), and no exception reaches the refresher.
    internal Task<MtaStsPolicyState> RefreshAsync(string domain) =>
        _stoppingToken.IsCancellationRequested ? Task.FromResult(Abandoned(domain)) : SharedResolve(domain, forceFetch: true);

    /// <summary>How many domains the cache holds (for tests and diagnostics).</summary>
    internal int CachedDomainCount => _cache.Count;

    // Single-flight: N concurrent callers for one domain share one TXT query and at most one fetch.
    // A refresh (forceFetch) that finds a lookup of its domain in flight takes that lookup's fresh answer.
    private Task<MtaStsPolicyState> SharedResolve(string domain, bool forceFetch = false)
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
                _ = RunSharedAsync(domain, completion, forceFetch);
                return completion.Task;
            }
        }
    }

    private async Task RunSharedAsync(string domain, TaskCompletionSource<MtaStsPolicyState> completion, bool forceFetch)
    {
        MtaStsPolicyState state;
        using var activity = MtaStsTelemetry.ActivitySource.StartActivity("mtasts.policy.resolve");
        activity?.SetTag(MtaStsTelemetryTags.Domain, domain);
        var started = _time.GetTimestamp();
        var stopping = _stoppingToken;
        var fetched = new StrongBox<bool>(); // set when this flight fetched the policy (telemetry's "source")
        try
        {
            state = await ResolveAsync(domain, fetched, forceFetch, stopping).ConfigureAwait(false);
        }
        catch (Exception ex) when (stopping.IsCancellationRequested)
        {
            // Disposed mid-lookup: the work was cancelled on purpose, so the caller gets a temporary failure, not an error.
            LogResolveAbandoned(domain, ex.GetType().Name);
            state = Abandoned(domain);
        }
#pragma warning disable CA1031 // A bug below must not crash the send path: fail closed, temporarily.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            LogUnexpectedError(domain, ex);
            var cached = _cache.Get(domain);
            state = cached is not null && cached.HasValidPolicy(_time.GetTimestamp())
                ? cached.State
                : MtaStsPolicyState.WithoutPolicy(domain,
                    new MtaStsFailure(MtaStsFailureKind.PolicyFetchError, $"internal error: {ex.GetType().Name}", "internal-error"), _settings, blocks: true);
        }

        RecordResolve(state, fetched.Value, _time.GetElapsedTime(started), activity);

        // The span ends with the lookup, before any caller resumes (a trace shows the wait the caller saw). Leave the
        // flight before completing it, so that no later caller is handed this finished result.
        activity?.Stop();
        _inFlight.TryRemove(domain, out _);
        completion.SetResult(state);
    }

    private MtaStsPolicyState Abandoned(string domain) =>
        MtaStsPolicyState.WithoutPolicy(domain,
            new MtaStsFailure(MtaStsFailureKind.PolicyFetchError, "the MTA-STS enforcer was disposed during the lookup", "shutdown"), _settings, blocks: true);

    private void RecordResolve(MtaStsPolicyState state, bool fetched, TimeSpan elapsed, System.Diagnostics.Activity? activity)
    {
        var tags = new System.Diagnostics.TagList
        {
            { MtaStsTelemetryTags.Mode, MtaStsTelemetry.ModeName(state.Mode) },
            { MtaStsTelemetryTags.Source, state.Policy is null ? "none" : fetched ? "fetch" : "cache" },
        };
        if (state.DiscoveryFailure is not null)
        {
            tags.Add(MtaStsTelemetryTags.ErrorType, state.DiscoveryFailure.ResultType);
            activity?.SetStatus(System.Diagnostics.ActivityStatusCode.Error, state.DiscoveryFailure.ResultType);
        }

        _telemetry.ResolveDuration.Record(elapsed.TotalSeconds, tags); // seconds, as the instrument declares
        activity?.SetTag("mtasts.outcome", state.DiscoveryFailure?.ResultType ?? (state.Policy is null ? "no-policy" : "ok"));
    }

    private long TxtFreshUntil(long now, TimeSpan ttl) =>
        After(now, ttl < _txtRecheckMinimum ? _txtRecheckMinimum : ttl > _txtRecheckMaximum ? _txtRecheckMaximum : ttl);

    private long After(long now, TimeSpan span) => Timestamps.Add(_time, now, span);

    private MtaStsPolicyState NoPolicy(string domain, MtaStsFailure? failure, bool blocks, bool reportable, string? recordId = null) =>
        MtaStsPolicyState.WithoutPolicy(domain, failure, _settings, blocks, reportable, recordId);

    private MtaStsPolicyState CachedState(CacheEntry cached, MtaStsFailure? failure) =>
        MtaStsPolicyState.WithPolicy(cached.Domain, cached.Policy!, cached.RecordId, cached.FetchedAt, _settings, failure,
            reportable: failure is not null && cached.Policy!.Mode != MtaStsMode.None);

    private MtaStsPolicyState Remember(bool storeUnknown, CacheEntry entry, long now)
    {
        _cache.Set(storeUnknown && entry.Policy is null ? entry with { StoreUnknown = true } : entry, now);
        return entry.State;
    }
}
