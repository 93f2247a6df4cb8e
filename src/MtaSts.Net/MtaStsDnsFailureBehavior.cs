namespace MtaSts;

/// <summary>What to do when the <c>_mta-sts</c> TXT lookup fails temporarily and no policy is cached.</summary>
public enum MtaStsDnsFailureBehavior
{
    /// <summary>
    /// Fail closed with a temporary failure (<see cref="MtaStsFailureKind.PolicyFetchError"/>), so the message is
    /// retried later. The default: an attacker who can break DNS cannot strip a policy we have not seen yet.
    /// </summary>
    FailClosed = 0,

    /// <summary>Deliver as if the domain had no policy (RFC 8461 §10.2 trust-on-first-use reading, SEC-1).</summary>
    Proceed = 1,
}
