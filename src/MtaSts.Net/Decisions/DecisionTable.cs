namespace MtaSts.Decisions;

/// <summary>
/// The one place where mode meets outcome (RFC 8461 §5). Pure: same facts, same verdict. A sender gathers the facts
/// of a candidate or session (<see cref="SessionFacts"/>) and asks once; nothing outside rewrites the answer.
/// <code>
/// discovery blocks (DNS temporary failure, nothing cached)      → FailClosed  (temporary)
/// no policy, sender requires valid certificates, cert fails     → FailClosed
/// no policy, TXT valid but policy unfetchable                   → DeliverAndReport (FLOW-8, RPT-1)
/// no policy / mode none                                         → Deliver (opportunistic TLS, FLOW-4: no checks, no reports);
///                                                                 a refused STARTTLS or failed handshake rides along as the failure
/// testing / enforce, every check passes                         → Deliver
/// testing, a check fails                                        → DeliverAndReport (FLOW-3, MX-9)
/// enforce, a check fails                                        → FailClosed (FLOW-2, FLOW-7)
///
/// the checks, first failure wins:
///   MX matches no mx pattern                  → mx-not-in-policy (MX-1)
///   STARTTLS not offered                      → starttls-not-supported (CERT-1); with downgrade evidence: starttls-likely-stripped
///   STARTTLS offered, then refused            → starttls-not-supported (CERT-1, starttls-refused)
///   certificate check failed                  → its failure (CERT-1..10, CERT-13)
///   handshake failed, certificate fine        → validation-failure (tls-handshake, RPT-3)
///
/// DANE first, when the sender gathered DANE facts (RFC 8461 §2, DANE-1, DANE-4): MTA-STS never rescues a DANE failure
///   TLSA lookup bogus or unanswered             → FailClosed dnssec-invalid (RFC 7672 §2.2, DANE-5)
///   DANE required for the domain, no secure usable TLSA → FailClosed dane-required (RFC 8460 §4.3.2.1)
///   secure usable TLSA, before connecting       → Deliver (the mx patterns are not consulted, DANE-4)
///   secure usable TLSA, STARTTLS missing        → FailClosed starttls-not-supported (DANE-2)
///   secure usable TLSA, no record matches       → FailClosed tlsa-invalid (or the DANE-TA name failure)
///   secure usable TLSA, a record matches        → Deliver
///   secure TLSA, every record unusable          → STARTTLS still mandatory (RFC 7672 §2.2); otherwise the MTA-STS rows
///   insecure or no TLSA                         → the MTA-STS rows
/// </code>
/// </summary>
internal static class DecisionTable
{
    public static MtaStsVerdict Decide(in DecisionInput input, out MtaStsFailure? failure) => Decide(input, out failure, out _);

    public static MtaStsVerdict Decide(in DecisionInput input, out MtaStsFailure? failure, out MtaStsMechanism mechanism)
    {
        mechanism = MtaStsMechanism.Dane;
        if (input.Session.Dane is { } dane && DecideByDane(input.Session, dane, out failure) is { } byDane)
        {
            return byDane;
        }

        mechanism = MtaStsMechanism.MtaSts;
        if (input.DiscoveryBlocks)
        {
            failure = input.DiscoveryFailure;
            return MtaStsVerdict.FailClosed;
        }

        var session = input.Session;
        if (input.Policy is null || input.Policy.Mode == MtaStsMode.None)
        {
            var withoutPolicy = input.Policy is null;
            if (withoutPolicy && input.RequireValidCertificateWithoutPolicy && session.CertificateFailure is not null
                && session.Tls is TlsStage.Established or TlsStage.HandshakeFailed)
            {
                failure = session.CertificateFailure;
                return MtaStsVerdict.FailClosed;
            }

            if (withoutPolicy && input.DiscoveryReportable && input.DiscoveryFailure is not null)
            {
                failure = input.DiscoveryFailure;
                return MtaStsVerdict.DeliverAndReport;
            }

            // Opportunistic: a session that could not carry the message still says why (the sender tries the next MX).
            failure = session.Tls is TlsStage.Refused or TlsStage.HandshakeFailed ? TlsFailure(session) : null;
            return MtaStsVerdict.Deliver;
        }

        failure = input.MxMatches ? TlsFailure(session) : MxFailure(input.Domain, session.MxHost);
        if (failure is null)
        {
            return MtaStsVerdict.Deliver;
        }

        return input.Policy.Mode == MtaStsMode.Enforce ? MtaStsVerdict.FailClosed : MtaStsVerdict.DeliverAndReport;
    }

    // Null when DANE does not decide this host and the MTA-STS rows apply.
    private static MtaStsVerdict? DecideByDane(in SessionFacts session, Dane.DaneState dane, out MtaStsFailure? failure)
    {
        failure = null;
        if (dane.LookupFailed)
        {
            failure = new(MtaStsFailureKind.DnssecInvalid, $"the TLSA lookup of {dane.TlsaName} failed: {dane.Detail} (RFC 7672 §2.2)", dane.Status.ToString().ToLowerInvariant());
            return MtaStsVerdict.FailClosed;
        }

        if (dane.Required && !dane.HasUsableRecords)
        {
            var why = dane.Status == Dane.DnssecStatus.Secure ? $"{dane.TlsaName} has no usable TLSA record" : dane.Detail ?? $"{dane.TlsaName} is not DNSSEC-validated";
            failure = new(MtaStsFailureKind.DaneRequired, $"DANE is required for this domain and {session.MxHost} has no secure, usable TLSA records: {why}");
            return MtaStsVerdict.FailClosed;
        }

        if (dane.OnlyUnusableRecords && session.Tls is TlsStage.NotOffered or TlsStage.Refused)
        {
            failure = TlsFailure(session);
            return MtaStsVerdict.FailClosed;
        }

        if (!dane.HasUsableRecords)
        {
            return null;
        }

        failure = session.Tls switch
        {
            TlsStage.NotConnected => null,
            TlsStage.Established => session.DaneFailure,
            TlsStage.HandshakeFailed => session.DaneFailure ?? TlsFailure(session),
            _ => TlsFailure(session),
        };
        return failure is null ? MtaStsVerdict.Deliver : MtaStsVerdict.FailClosed;
    }

    private static MtaStsFailure MxFailure(string domain, string mxHost) =>
        new(MtaStsFailureKind.MxNotInPolicy, $"{mxHost} matches no mx pattern of the policy for {domain} (MX-1)", "mx-not-in-policy");

    private static MtaStsFailure? TlsFailure(in SessionFacts session) => session.Tls switch
    {
        TlsStage.NotOffered when session.DowngradeEvidence is not null => new(MtaStsFailureKind.StartTlsNotSupported,
            $"{session.MxHost} did not offer STARTTLS (CERT-1); {session.DowngradeEvidence}", "starttls-likely-stripped"),
        TlsStage.NotOffered => new(MtaStsFailureKind.StartTlsNotSupported, $"{session.MxHost} did not offer STARTTLS (CERT-1)"),
        TlsStage.Refused => new(MtaStsFailureKind.StartTlsNotSupported,
            $"{session.MxHost} offered STARTTLS, then refused it: {session.TlsError}", "starttls-refused"),
        TlsStage.HandshakeFailed => session.CertificateFailure
            ?? new(MtaStsFailureKind.ValidationFailure, $"TLS handshake with {session.MxHost} failed: {session.TlsError}", "tls-handshake"),
        TlsStage.Established => session.CertificateFailure,
        _ => null,
    };
}
