using System.Collections.Concurrent;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace MtaSts.DependencyInjection;

/// <summary>
/// Refreshes cached policies before they expire (CACHE-6): each pass fetches, whatever the TXT id says, every policy
/// fetched more than <see cref="MtaStsRefreshOptions.RefreshAfter"/> ago or past half its <c>max_age</c>, a few at a
/// time, after a random delay. A failed refresh never replaces a cached policy; repeated failures are logged as
/// warnings long before expiry (CACHE-7), and never for mode <c>none</c>.
/// </summary>
internal sealed class MtaStsPolicyRefresher(MtaStsEnforcer enforcer, IOptions<MtaStsRefreshOptions> options, TimeProvider time) : BackgroundService
{
    private readonly ConcurrentDictionary<string, int> _failures = new(StringComparer.Ordinal);

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
        }
    }

    /// <summary>One pass over the cache; public to the tests through the enforcer's internals.</summary>
    internal async Task RefreshDueAsync(CancellationToken cancellationToken)
    {
        var settings = options.Value;
        var now = time.GetUtcNow();
        var due = enforcer.CachedStates()
            .Where(s => s.Policy is not null && s.FetchedAt is { } fetched
                && now >= fetched + Min(settings.RefreshAfter, s.Policy.MaxAge / 2))
            .ToList();
        using var gate = new SemaphoreSlim(Math.Max(1, settings.MaxConcurrency));
        await Task.WhenAll(due.Select(async state =>
        {
            await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                await RefreshAsync(state).ConfigureAwait(false);
            }
            finally
            {
                gate.Release();
            }
        })).ConfigureAwait(false);
    }

    private async Task RefreshAsync(MtaStsPolicyState before)
    {
        var after = await enforcer.RefreshAsync(before.Domain).ConfigureAwait(false);
        if (after.Source == MtaStsPolicySource.Fetched)
        {
            _failures.TryRemove(before.Domain, out _);
            return;
        }

        var failures = _failures.AddOrUpdate(before.Domain, 1, (_, n) => n + 1);
        if (before.Mode != MtaStsMode.None && after.DiscoveryFailure is not null)
        {
            enforcer.LogRefreshFailing(before.Domain, before.Mode, failures, before.ExpiresAt ?? DateTimeOffset.MaxValue, after.DiscoveryFailure.ToString());
        }
    }

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;
}
