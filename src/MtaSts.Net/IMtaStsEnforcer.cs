namespace MtaSts;

/// <summary>Discovers, caches and applies MTA-STS policies for recipient domains.</summary>
public interface IMtaStsEnforcer
{
    /// <summary>
    /// Returns the MTA-STS state of <paramref name="recipientDomain"/>: the policy that applies (from the cache, or
    /// discovered now through DNS and HTTPS), or none, and what went wrong on the way. Never throws for network or
    /// protocol failures; ask the state about each MX host.
    /// </summary>
    /// <param name="recipientDomain">The policy domain: the recipient's domain, or the smart host's (DISC-1, DISC-2).
    /// Case, a root dot and U-labels are normalised; an address literal has no policy.</param>
    /// <param name="cancellationToken">Cancels the wait (a shared lookup for the same domain carries on for the other callers).</param>
    /// <returns>The policy state.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="recipientDomain"/> is null.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    ValueTask<MtaStsPolicyState> GetPolicyAsync(string recipientDomain, CancellationToken cancellationToken = default);

    /// <summary>
    /// Asks DNS again now, whatever the TXT record's TTL, and fetches the policy when its id changed: what RFC 8461 §5
    /// (FLOW-5) requires before a message that failed under <c>enforce</c> is failed permanently. A failure never drops
    /// or weakens the cached policy.
    /// </summary>
    /// <param name="recipientDomain">The policy domain.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>The policy state after the re-check.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="recipientDomain"/> is null.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    ValueTask<MtaStsPolicyState> RecheckAsync(string recipientDomain, CancellationToken cancellationToken = default);

    /// <summary>
    /// Drops the cached and the stored policy of one domain: the next lookup starts afresh with DNS and HTTPS. For an
    /// operator who knows a policy is wrong (a domain moved, a test policy published by mistake).
    /// </summary>
    /// <param name="recipientDomain">The policy domain, in any case, with or without a root dot.</param>
    /// <param name="cancellationToken">Cancels the removal from the store.</param>
    /// <returns>A task that completes when the domain is forgotten.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="recipientDomain"/> is null.</exception>
    ValueTask InvalidateAsync(string recipientDomain, CancellationToken cancellationToken = default);
}
