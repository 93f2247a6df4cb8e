namespace MtaSts;

/// <summary>
/// The answer for one MX host: deliver, deliver and report, or fail closed. A value type, so that asking costs no
/// allocation on the cached path of a high-volume sender.
/// </summary>
/// <param name="Verdict">What the sender may do.</param>
/// <param name="Failure">The failed check, if any (also set for <see cref="MtaStsVerdict.DeliverAndReport"/>).</param>
/// <param name="Policy">The policy the decision applied, if any.</param>
/// <param name="MxHost">The MX host the decision is about.</param>
public readonly record struct MtaStsDecision(MtaStsVerdict Verdict, MtaStsFailure? Failure, MtaStsPolicy? Policy, string? MxHost)
{
    /// <summary>Whether the message may be delivered to this MX (anything but <see cref="MtaStsVerdict.FailClosed"/>).</summary>
    public bool MayDeliver => Verdict != MtaStsVerdict.FailClosed;

    /// <inheritdoc/>
    public override string ToString() => Failure is null ? $"{Verdict} {MxHost}" : $"{Verdict} {MxHost}: {Failure}";
}
