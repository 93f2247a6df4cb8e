namespace MtaSts.MailKit;

/// <summary>
/// MTA-STS forbids delivery to this MX (mode <c>enforce</c>, and the MX is not in the policy, offers no STARTTLS, or
/// presents a certificate that fails validation). Always a temporary failure: try the next MX, or retry later, and
/// never bounce before re-checking the policy (RFC 8461 §5).
/// </summary>
public sealed class MtaStsDeliveryRefusedException : Exception
{
    /// <summary>Creates the exception for a refusing decision.</summary>
    /// <param name="decision">The decision that refused delivery.</param>
    /// <param name="outcome">What happened on the connection, when one was made.</param>
    public MtaStsDeliveryRefusedException(MtaStsDecision decision, MtaStsSessionOutcome? outcome = null)
        : base($"MTA-STS refuses delivery to {decision.MxHost}: {decision.Failure?.ToString() ?? "policy"}")
    {
        Decision = decision;
        Outcome = outcome;
    }

    /// <summary>The decision that refused delivery.</summary>
    public MtaStsDecision Decision { get; }

    /// <summary>What happened on the connection; <see langword="null"/> when the MX was refused before connecting.</summary>
    public MtaStsSessionOutcome? Outcome { get; }
}
