using System.Net;

namespace MtaSts.MailKit.Delivery;

/// <summary>One try of one MX candidate.</summary>
/// <param name="MxHost">The candidate.</param>
/// <param name="Address">The address dialled, when one was.</param>
/// <param name="Decision">The MTA-STS decision for the candidate or its session.</param>
/// <param name="Outcome">What happened on the connection, when one was made.</param>
/// <param name="Error">Why the attempt failed, when it did.</param>
public sealed record MtaStsDeliveryAttempt(string MxHost, IPAddress? Address, MtaStsDecision? Decision, MtaStsSessionOutcome? Outcome, string? Error)
{
    /// <summary>Why the attempt failed, typed; <see cref="MtaStsAttemptError.None"/> when it delivered.</summary>
    public MtaStsAttemptError ErrorKind { get; init; }
}
