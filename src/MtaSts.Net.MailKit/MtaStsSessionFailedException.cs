namespace MtaSts.MailKit;

/// <summary>
/// The TLS upgrade failed on a connection the policy did not forbid (mode <c>testing</c> or <c>none</c>, or no policy):
/// the server refused STARTTLS, or the TLS handshake failed. MailKit never falls back to plain text after a failed
/// upgrade, so the connection is closed; try the next MX. <see cref="Outcome"/> carries the failure as a TLS-RPT
/// reportable decision (RFC 8460 §4.3, RPT-1, RPT-3), and <see cref="Exception.InnerException"/> MailKit's exception.
/// Under <c>enforce</c> the same events raise <see cref="MtaStsDeliveryRefusedException"/>.
/// </summary>
public sealed class MtaStsSessionFailedException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="outcome">What happened on the connection.</param>
    /// <param name="innerException">MailKit's exception.</param>
    public MtaStsSessionFailedException(MtaStsSessionOutcome outcome, Exception? innerException)
        : base($"The TLS upgrade with {outcome?.MxHost} failed: {outcome?.Decision.Failure?.ToString() ?? innerException?.Message}", innerException)
    {
        ArgumentNullException.ThrowIfNull(outcome);
        Outcome = outcome;
    }

    /// <summary>What happened on the connection, with the failure to record for TLS-RPT.</summary>
    public MtaStsSessionOutcome Outcome { get; }
}
