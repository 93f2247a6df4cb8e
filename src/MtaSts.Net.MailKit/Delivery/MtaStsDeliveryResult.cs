using MimeKit;

namespace MtaSts.MailKit.Delivery;

/// <summary>The result of delivering a message to the recipients of one domain.</summary>
/// <param name="Domain">The recipient domain (normalised).</param>
/// <param name="Recipients">The recipients at that domain.</param>
/// <param name="Status">Delivered, deferred or failed.</param>
/// <param name="Reason">Why, in words.</param>
/// <param name="DeliveredVia">The session that carried the message, when delivered: MX, TLS version, cipher, certificate.</param>
/// <param name="Attempts">Every candidate tried, in order.</param>
/// <param name="Policy">The MTA-STS state that applied (after a re-check, the new one).</param>
/// <param name="PolicyRechecked">Whether DNS was asked again for a new policy before this result (FLOW-5).</param>
public sealed record MtaStsDeliveryResult(
    string Domain,
    IReadOnlyList<MailboxAddress> Recipients,
    MtaStsDeliveryStatus Status,
    string Reason,
    MtaStsSessionOutcome? DeliveredVia,
    IReadOnlyList<MtaStsDeliveryAttempt> Attempts,
    MtaStsPolicyState? Policy,
    bool PolicyRechecked)
{
    /// <summary>
    /// Whether the message's <c>TLS-Required: No</c> header field was honoured (RFC 8689 §4.3): MTA-STS and DANE were
    /// set aside and STARTTLS used only when offered. Only with <see cref="MtaStsDirectSenderOptions.HonorTlsRequiredHeader"/>.
    /// </summary>
    /// <value><see langword="false"/>.</value>
    public bool TlsRequiredNoHonored { get; init; }
}
