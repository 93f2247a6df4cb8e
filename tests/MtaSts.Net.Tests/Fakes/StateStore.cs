using System.Collections.Concurrent;
using MtaSts.Caching;

namespace MtaSts.Tests.Fakes;

/// <summary>The named-state part of a policy store (unit seam): in memory, counting writes, failing reads on demand.</summary>
internal sealed class StateStore : IMtaStsPolicyStore
{
    public ConcurrentDictionary<string, string> State { get; } = new(StringComparer.Ordinal);

    public ConcurrentQueue<string> Writes { get; } = new();

    /// <summary>While set, every read throws (a store that is down).</summary>
    public bool FailReads { get; set; }

    public ValueTask<string?> GetStateAsync(string key, CancellationToken cancellationToken = default) =>
        FailReads ? throw new IOException("store unavailable") : new(State.TryGetValue(key, out var value) ? value : null);

    public ValueTask SetStateAsync(string key, string value, CancellationToken cancellationToken = default)
    {
        Writes.Enqueue(key);
        State[key] = value;
        return ValueTask.CompletedTask;
    }

    public ValueTask<MtaStsStoredPolicy?> GetAsync(string domain, CancellationToken cancellationToken = default) => new((MtaStsStoredPolicy?)null);

    public ValueTask SetAsync(MtaStsStoredPolicy policy, CancellationToken cancellationToken = default) => ValueTask.CompletedTask;

    public ValueTask RemoveAsync(string domain, CancellationToken cancellationToken = default) => ValueTask.CompletedTask;

    public ValueTask ClearAsync(CancellationToken cancellationToken = default) => ValueTask.CompletedTask;
}
