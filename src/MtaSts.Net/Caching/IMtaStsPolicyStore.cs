namespace MtaSts.Caching;

/// <summary>
/// Where fetched policies are kept beyond one process's memory: a file, a shared cache. The enforcer owns the MTA-STS
/// rules (id checks, expiry at <c>max_age</c>, stale-if-error, back-off, single-flight) and keeps a hot in-memory copy;
/// the store only saves and loads. A store that fails is logged and bypassed, never an exception on the send path.
/// </summary>
public interface IMtaStsPolicyStore
{
    /// <summary>Loads the stored policy of <paramref name="domain"/>, or <see langword="null"/>.</summary>
    /// <param name="domain">The normalised policy domain.</param>
    /// <param name="cancellationToken">Cancels the load.</param>
    /// <returns>The stored policy, or <see langword="null"/> when there is none.</returns>
    ValueTask<MtaStsStoredPolicy?> GetAsync(string domain, CancellationToken cancellationToken = default);

    /// <summary>Saves (or replaces) the policy of <see cref="MtaStsStoredPolicy.Domain"/>.</summary>
    /// <param name="policy">The policy to save.</param>
    /// <param name="cancellationToken">Cancels the save.</param>
    /// <returns>A task that completes when the policy is saved.</returns>
    ValueTask SetAsync(MtaStsStoredPolicy policy, CancellationToken cancellationToken = default);

    /// <summary>Removes the stored policy of <paramref name="domain"/>.</summary>
    /// <param name="domain">The normalised policy domain.</param>
    /// <param name="cancellationToken">Cancels the removal.</param>
    /// <returns>A task that completes when the policy is removed.</returns>
    ValueTask RemoveAsync(string domain, CancellationToken cancellationToken = default);

    /// <summary>Removes every stored policy.</summary>
    /// <param name="cancellationToken">Cancels the purge.</param>
    /// <returns>A task that completes when the store is empty.</returns>
    ValueTask ClearAsync(CancellationToken cancellationToken = default);
}
