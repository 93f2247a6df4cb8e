using System.Collections.Concurrent;
using MtaSts.Caching;

namespace MtaSts.Testing;

/// <summary>A persistent store kept in a dictionary: stands in for a file or Redis store where the medium does not matter.</summary>
public sealed class InMemoryPolicyStore : IMtaStsPolicyStore
{
    private readonly ConcurrentDictionary<string, MtaStsStoredPolicy> _policies = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, string> _state = new(StringComparer.Ordinal);

    /// <summary>How many policies are stored.</summary>
    public int Count => _policies.Count;

    /// <inheritdoc/>
    public ValueTask<MtaStsStoredPolicy?> GetAsync(string domain, CancellationToken cancellationToken = default) =>
        new(_policies.TryGetValue(domain, out var policy) ? policy : null);

    /// <inheritdoc/>
    public ValueTask SetAsync(MtaStsStoredPolicy policy, CancellationToken cancellationToken = default)
    {
        _policies[policy.Domain] = policy;
        return ValueTask.CompletedTask;
    }

    /// <inheritdoc/>
    public ValueTask RemoveAsync(string domain, CancellationToken cancellationToken = default)
    {
        _policies.TryRemove(domain, out _);
        return ValueTask.CompletedTask;
    }

    /// <inheritdoc/>
    public ValueTask ClearAsync(CancellationToken cancellationToken = default)
    {
        _policies.Clear();
        return ValueTask.CompletedTask;
    }

    /// <summary>Loads named state.</summary>
    /// <param name="key">The name.</param>
    /// <param name="cancellationToken">Unused.</param>
    /// <returns>The value, or null.</returns>
    public ValueTask<string?> GetStateAsync(string key, CancellationToken cancellationToken = default) =>
        new(_state.TryGetValue(key, out var value) ? value : null);

    /// <summary>Saves named state.</summary>
    /// <param name="key">The name.</param>
    /// <param name="value">The value.</param>
    /// <param name="cancellationToken">Unused.</param>
    /// <returns>A completed task.</returns>
    public ValueTask SetStateAsync(string key, string value, CancellationToken cancellationToken = default)
    {
        _state[key] = value;
        return ValueTask.CompletedTask;
    }
}
