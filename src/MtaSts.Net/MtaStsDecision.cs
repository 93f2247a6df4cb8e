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

    /// <summary>
    /// Which mechanism decided: <see cref="MtaStsMechanism.Dane"/> when the MX has DNSSEC-secure TLSA records and DANE is
    /// enabled (RFC 8461 §2: MTA-STS never overrides a DANE result), else <see cref="MtaStsMechanism.MtaSts"/>.
    /// </summary>
    /// <value><see cref="MtaStsMechanism.MtaSts"/>.</value>
    public MtaStsMechanism Mechanism { get; init; }

    /// <summary>The MX host's TLSA records as TLS-RPT policy strings when DANE decided (DANE-6: a <c>tlsa</c> policy block).</summary>
    internal IReadOnlyList<string>? TlsaRecords { get; init; }

    /// <inheritdoc/>
    public override string ToString() =>
        (Failure is null ? $"{Verdict} {MxHost}" : $"{Verdict} {MxHost}: {Failure}") + (Mechanism == MtaStsMechanism.Dane ? " [DANE]" : string.Empty);
}
