using System.Collections.Concurrent;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Polly;
using Polly.CircuitBreaker;
using MtaSts.Health;

namespace MtaSts.Caching;

/// <summary>
/// Wraps the configured store so that a lookup's latency never depends on it being up: every call is bounded by a
/// short timeout, a circuit breaker stops calling a store that keeps failing, and writes go to a bounded background
/// queue (latest write per domain wins) drained on dispose with a bounded wait. A read that cannot be answered throws
/// <see cref="PolicyStoreUnavailableException"/>, so "unavailable" is never mistaken for "absent" (<see langword="null"/>).
/// </summary>
internal sealed partial class ResilientPolicyStore : IMtaStsPolicyStore, IDisposable, IAsyncDisposable
{
    /// <summary>At most this many domains wait for a background write; past it new domains' writes are dropped.</summary>
    internal const int DefaultMaxPendingWrites = 10_000;

    private readonly IMtaStsPolicyStore _inner;
    private readonly ResiliencePipeline _pipeline;
    private readonly ILogger _logger;
    private readonly TimeSpan _drainTimeout;
    private readonly int _maxPendingWrites;
    private readonly ConcurrentDictionary<string, PendingWrite> _pending = new(StringComparer.Ordinal);
    private readonly Channel<string> _queue;
    private readonly SemaphoreSlim _writeGate = new(1, 1);
    private readonly CancellationTokenSource _stopping = new();
    private readonly Task _worker;
    private readonly MtaStsHealthStatus? _health;
    private int _disposed;

    /// <param name="inner">The configured store.</param>
    /// <param name="timeout">The bound of one store call (<see cref="MtaStsOptions.StoreTimeout"/>).</param>
    /// <param name="breakDuration">How long an open breaker bypasses the store (<see cref="MtaStsOptions.StoreBreakDuration"/>).</param>
    /// <param name="time">The clock of the timeout and the breaker.</param>
    /// <param name="logger">Where the breaker's state changes and dropped writes are logged.</param>
    /// <param name="maxPendingWrites">The bound of the write queue, in domains.</param>
    /// <param name="drainTimeout">How long dispose waits for queued writes (wall clock: a safety valve for shutdown).</param>
    /// <param name="health">Told of each call's success or failure, for health checks.</param>
    public ResilientPolicyStore(IMtaStsPolicyStore inner, TimeSpan timeout, TimeSpan breakDuration, TimeProvider time, ILogger logger,
        int maxPendingWrites = DefaultMaxPendingWrites, TimeSpan? drainTimeout = null, MtaStsHealthStatus? health = null)
    {
        ArgumentNullException.ThrowIfNull(inner);
        _inner = inner;
        _health = health;
        _logger = logger;
        timeout = timeout < TimeSpan.FromMilliseconds(10) ? TimeSpan.FromMilliseconds(10) : timeout; // Polly's ranges; the
        breakDuration = breakDuration < TimeSpan.FromMilliseconds(500) ? TimeSpan.FromMilliseconds(500) : breakDuration; // options report it
        _maxPendingWrites = maxPendingWrites;
        _drainTimeout = drainTimeout ?? TimeSpan.FromSeconds(5);

        // Outer breaker, inner timeout: a timed-out call counts as a failure. Three failures in half the calls of a
        // 30 s window open it; after the break one call probes the store (half-open) and closes it on success.
        _pipeline = new ResiliencePipelineBuilder { TimeProvider = time }
            .AddCircuitBreaker(new CircuitBreakerStrategyOptions
            {
                FailureRatio = 0.5,
                MinimumThroughput = 3,
                SamplingDuration = TimeSpan.FromSeconds(30),
                BreakDuration = breakDuration,
                OnOpened = args =>
                {
                    LogBreakerOpened(args.BreakDuration.TotalSeconds, args.Outcome.Exception?.Message ?? "failed");
                    return default;
                },
                OnClosed = _ =>
                {
                    LogBreakerClosed();
                    return default;
                },
            })
            .AddTimeout(timeout)
            .Build();

        // Each queued domain is one channel item; ClearAsync may orphan items, hence twice the bound.
        _queue = Channel.CreateBounded<string>(new BoundedChannelOptions(Math.Max(1, maxPendingWrites) * 2) { SingleReader = true });
        _worker = Task.Run(DrainQueueAsync);
    }

    /// <summary>
    /// What the enforcer talks to: <paramref name="store"/> wrapped, unless it lives in process memory (which cannot
    /// hang, and keeps its writes synchronous). A wrapper is added to <paramref name="owned"/>, to be disposed (drained).
    /// </summary>
    internal static IMtaStsPolicyStore Around(IMtaStsPolicyStore store, MtaStsOptions options, TimeProvider time, ILoggerFactory loggers, List<IDisposable> owned,
        MtaStsHealthStatus? health = null)
    {
        if (store is ResilientPolicyStore)
        {
            return store;
        }

        var resilient = new ResilientPolicyStore(store, options.StoreTimeout, options.StoreBreakDuration, time, loggers.CreateLogger<ResilientPolicyStore>(), health: health);
        owned.Add(resilient);
        return resilient;
    }

    /// <summary>How many domains wait for a background write (for tests and diagnostics).</summary>
    internal int PendingWrites => _pending.Count;

    /// <inheritdoc/>
    /// <exception cref="PolicyStoreUnavailableException">The store timed out, failed, or is bypassed by the open breaker.</exception>
    public async ValueTask<MtaStsStoredPolicy?> GetAsync(string domain, CancellationToken cancellationToken = default)
    {
        if (_pending.TryGetValue(domain, out var pending))
        {
            return pending.Policy; // read your own queued write (null: a queued removal)
        }

        return await CallAsync(ct => _inner.GetAsync(domain, ct), "read " + domain, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    /// <remarks>Queued: the returned task completes at once, the store is written in the background.</remarks>
    public ValueTask SetAsync(MtaStsStoredPolicy policy, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(policy);
        Enqueue(policy.Domain, new PendingWrite(policy));
        return ValueTask.CompletedTask;
    }

    /// <inheritdoc/>
    /// <remarks>Queued: the returned task completes at once, the store is written in the background.</remarks>
    public ValueTask RemoveAsync(string domain, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(domain);
        Enqueue(domain, new PendingWrite(null));
        return ValueTask.CompletedTask;
    }

    /// <inheritdoc/>
    /// <remarks>
    /// Synchronous (an operator's purge): queued writes are discarded first, so that none lands after the purge.
    /// </remarks>
    /// <exception cref="PolicyStoreUnavailableException">The store timed out, failed, or is bypassed by the open breaker.</exception>
    public async ValueTask ClearAsync(CancellationToken cancellationToken = default)
    {
        // The worker holds the gate while it writes, and each write is bounded by the timeout.
        await _writeGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            _pending.Clear();
            await CallAsync(async ct =>
            {
                await _inner.ClearAsync(ct).ConfigureAwait(false);
                return true;
            }, "clear", cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _writeGate.Release();
        }
    }

    /// <summary>Stops taking writes, waits a bounded time for the queued ones, then abandons the rest.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        _queue.Writer.TryComplete();
        if (!await WaitForWorkerAsync().ConfigureAwait(false))
        {
            LogDrainAbandoned(_pending.Count, _drainTimeout.TotalSeconds);
            await _stopping.CancelAsync().ConfigureAwait(false);
            await WaitForWorkerAsync().ConfigureAwait(false); // cancelled calls return at once (WaitAsync below)
        }

        _stopping.Dispose();
        _writeGate.Dispose();
    }

    /// <inheritdoc cref="DisposeAsync"/>
    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();

    private async Task<bool> WaitForWorkerAsync()
    {
        try
        {
            // Wall clock on purpose: a fake clock in tests must not make shutdown wait forever.
            await _worker.WaitAsync(_drainTimeout, TimeProvider.System).ConfigureAwait(false);
            return true;
        }
        catch (TimeoutException)
        {
            return false;
        }
    }

    // One bounded call through the breaker and the timeout. WaitAsync makes the timeout hold even for a store that
    // ignores its token (StackExchange.Redis does: its own 5 s timeouts apply) or blocks; the abandoned call is observed.
    private async ValueTask<T> CallAsync<T>(Func<CancellationToken, ValueTask<T>> call, string what, CancellationToken cancellationToken, bool write = false)
    {
        try
        {
            var result = await _pipeline.ExecuteAsync(async ct =>
            {
                // On the thread pool: a store may block before returning its task (a synchronous reconnect does).
                var task = Task.Run(() => call(ct).AsTask(), CancellationToken.None);
                try
                {
                    return await task.WaitAsync(ct).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (!task.IsCompleted)
                {
                    Observe(task);
                    throw;
                }
            }, cancellationToken).ConfigureAwait(false);
            _health?.StoreSucceeded(write);
            return result;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (BrokenCircuitException ex)
        {
            _health?.StoreFailed(write, "bypassed after repeated failures (" + what + ")");
            throw new PolicyStoreUnavailableException($"The MTA-STS policy store is bypassed after repeated failures ({what}).", ex);
        }
        catch (Exception ex)
        {
            _health?.StoreFailed(write, $"{what}: {ex.Message}");
            throw new PolicyStoreUnavailableException($"The MTA-STS policy store failed ({what}): {ex.Message}", ex);
        }
    }

    private static void Observe(Task task) =>
        _ = task.ContinueWith(static t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);

    private sealed record PendingWrite(MtaStsStoredPolicy? Policy);
}
