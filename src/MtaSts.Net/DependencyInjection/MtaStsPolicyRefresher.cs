using System.Collections.Concurrent;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using MtaSts.Health;

namespace MtaSts.DependencyInjection;

/// <summary>
/// Refreshes cached policies before they expire (CACHE-6): each pass fetches, whatever the TXT id says, every policy
/// fetched more than <see cref="MtaStsRefreshOptions.RefreshAfter"/> ago or past half its <c>max_age</c>, a few at a
/// time, after a random delay. A failed refresh never replaces a cached policy and backs the domain off exponentially
/// (<see cref="MtaStsRefreshOptions.FailureBackoff"/>), so a host that is down is not hammered every pass. Each pass
/// logs one summary, a warning when refreshes of policies other than <c>none</c> failed (CACHE-7); the per-domain
/// detail is at Debug. Stopping the host stops a pass at once.
/// </summary>
internal sealed partial class MtaStsPolicyRefresher(
    MtaStsEnforcer enforcer, IOptions<MtaStsRefreshOptions> options, TimeProvider time, ILogger<MtaStsPolicyRefresher>? logger = null,
    MtaStsHealthStatus? health = null) : BackgroundService
{
    private const int MaxExamples = 3;

    // Only domains whose last refresh failed, pruned to the domains still cached: bounded by the cache.
    private readonly ConcurrentDictionary<string, Backoff> _backoff = new(StringComparer.Ordinal);
    private readonly ILogger _logger = (ILogger?)logger ?? NullLogger.Instance;

    /// <summary>How many domains are backed off (for tests and diagnostics).</summary>
    internal int BackedOffDomains => _backoff.Count;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var settings = options.Value;
        while (!stoppingToken.IsCancellationRequested)
        {
            var jitter = TimeSpan.FromMilliseconds(Random.Shared.NextDouble() * settings.MaxJitter.TotalMilliseconds);
            try
            {
                await Task.Delay(settings.CheckInterval + jitter, time, stoppingToken).ConfigureAwait(false);
                await RefreshDueAsync(stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
#pragma warning disable CA1031 // A failed pass must not stop the host (BackgroundServiceExceptionBehavior.StopHost): the next pass retries.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                LogPassFailed(ex);
            }
        }
    }

    /// <summary>One pass over the cache; internal for the tests.</summary>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled: the pass stopped.</exception>
    internal async Task RefreshDueAsync(CancellationToken cancellationToken)
    {
        var settings = options.Value;
        var started = time.GetTimestamp();
        var now = time.GetUtcNow();
        var cached = enforcer.CachedStates().ToList();
        Prune(cached);

        var due = new List<MtaStsPolicyState>();
        var skipped = 0;
        foreach (var state in cached)
        {
            if (state.Policy is null || state.FetchedAt is not { } fetched || now < fetched + Min(settings.RefreshAfter, state.Policy.MaxAge / 2))
            {
                continue;
            }

            if (_backoff.TryGetValue(state.Domain, out var backoff) && now < backoff.RetryAfter)
            {
                skipped++;
                continue;
            }

            due.Add(state);
        }

        var tally = new Tally();
        using var gate = new SemaphoreSlim(Math.Max(1, settings.MaxConcurrency));
        try
        {
            await Task.WhenAll(due.Select(async state =>
            {
                await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
                try
                {
                    await RefreshAsync(state, settings, tally, cancellationToken).ConfigureAwait(false);
                }
                finally
                {
                    gate.Release();
                }
            })).ConfigureAwait(false);
        }
        finally
        {
            LogSummary(tally, skipped, cancellationToken.IsCancellationRequested, time.GetElapsedTime(started));
        }
    }

    private async Task RefreshAsync(MtaStsPolicyState before, MtaStsRefreshOptions settings, Tally tally, CancellationToken cancellationToken)
    {
        // The enforcer's refresh takes no token: stop waiting for it when the host stops (it ends on its own timeouts).
        var after = await enforcer.RefreshAsync(before.Domain).WaitAsync(cancellationToken).ConfigureAwait(false);
        // Refreshed: a policy fetched by this pass (a later fetch time than the one it replaces) and nothing went wrong.
        if (after.Policy is not null && after.DiscoveryFailure is null && after.FetchedAt > before.FetchedAt)
        {
            _backoff.TryRemove(before.Domain, out _);
            health?.RefreshSucceeded(before.Domain);
            Interlocked.Increment(ref tally.Refreshed);
            return;
        }

        var failures = (_backoff.TryGetValue(before.Domain, out var previous) ? previous.Failures : 0) + 1;
        var retryAfter = time.GetUtcNow() + Delay(failures, settings);
        _backoff[before.Domain] = new Backoff(failures, retryAfter);
        Interlocked.Increment(ref tally.Failed);
        var failure = after.DiscoveryFailure?.ToString() ?? "no policy fetched";
        LogRefreshFailed(before.Domain, before.Mode, failures, before.ExpiresAt ?? DateTimeOffset.MaxValue, retryAfter, failure);
        health?.RefreshFailed(before.Domain, before.Mode, failures, before.ExpiresAt, failure);
        if (before.Mode != MtaStsMode.None && after.DiscoveryFailure is not null && Interlocked.Increment(ref tally.Alerting) <= MaxExamples)
        {
            tally.Examples.Enqueue($"{before.Domain} ({failures}x)"); // CACHE-7: not for none
        }
    }

    // Exponential: FailureBackoff after the first failure, doubling, at most MaxFailureBackoff.
    private static TimeSpan Delay(int failures, MtaStsRefreshOptions settings)
    {
        var factor = Math.Pow(2, Math.Min(failures - 1, 30));
        var delay = settings.FailureBackoff.TotalSeconds * factor;
        return delay >= settings.MaxFailureBackoff.TotalSeconds ? settings.MaxFailureBackoff : TimeSpan.FromSeconds(delay);
    }

    private void Prune(List<MtaStsPolicyState> cached)
    {
        if (_backoff.IsEmpty)
        {
            return;
        }

        var domains = cached.Select(s => s.Domain).ToHashSet(StringComparer.Ordinal);
        foreach (var domain in _backoff.Keys)
        {
            if (!domains.Contains(domain))
            {
                _backoff.TryRemove(domain, out _);
            }
        }
    }

    private void LogSummary(Tally tally, int skipped, bool stopped, TimeSpan elapsed)
    {
        var level = tally.Alerting > 0 ? LogLevel.Warning : tally.Refreshed + tally.Failed + skipped > 0 ? LogLevel.Information : LogLevel.Debug;
        LogPass(level, tally.Refreshed, tally.Failed, skipped, elapsed.TotalMilliseconds, stopped ? " (stopped)" : string.Empty,
            tally.Examples.IsEmpty ? string.Empty : "; failing: " + string.Join(", ", tally.Examples));
    }

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;

    private sealed record Backoff(int Failures, DateTimeOffset RetryAfter);

    private sealed class Tally
    {
#pragma warning disable SA1401, CA1051 // counted with Interlocked
        public int Refreshed;
        public int Failed;
        public int Alerting;
#pragma warning restore SA1401, CA1051

        public ConcurrentQueue<string> Examples { get; } = new();
    }

    [LoggerMessage(EventId = 430, Message = "MTA-STS refresh pass{Stopped}: {Refreshed} refreshed, {Failed} failed, {Skipped} skipped for back-off, in {ElapsedMs:0} ms{Failing}", EventName = "RefreshPass")]
    private partial void LogPass(LogLevel level, int refreshed, int failed, int skipped, double elapsedMs, string stopped, string failing);

    [LoggerMessage(432, LogLevel.Error, "An MTA-STS refresh pass failed; the next pass runs as scheduled", EventName = "RefreshPassFailed")]
    private partial void LogPassFailed(Exception exception);

    [LoggerMessage(431, LogLevel.Debug, "Refreshing the MTA-STS policy of {Domain} ({Mode}) failed {Failures} time(s) in a row; it expires at {ExpiresAt:u}; next try after {RetryAfter:u}: {Failure}", EventName = "RefreshFailed")]
    private partial void LogRefreshFailed(string domain, MtaStsMode mode, int failures, DateTimeOffset expiresAt, DateTimeOffset retryAfter, string failure);
}
