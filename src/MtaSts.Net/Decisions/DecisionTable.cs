namespace MtaSts.Decisions;

/// <summary>
/// The one place where mode meets outcome (RFC 8461 §5). Pure: same facts, same verdict.
/// <code>
/// discovery blocks (DNS temporary failure, nothing cached)  → FailClosed  (temporary)
/// no policy, sender requires valid certificates, check fails → FailClosed
/// no policy, TXT valid but policy unfetchable               → DeliverAndReport (FLOW-8, RPT-1)
/// no policy                                                 → Deliver (opportunistic TLS)
/// mode none                                                 → Deliver (FLOW-4: no checks, no reports)
/// testing / enforce, every check passes                     → Deliver
/// testing, a check fails                                    → DeliverAndReport (FLOW-3, MX-9)
/// enforce, a check fails                                    → FailClosed (FLOW-2, FLOW-7)
/// </code>
/// </summary>
internal static class DecisionTable
{
    public static MtaStsVerdict Decide(in DecisionInput input, out MtaStsFailure? failure)
    {
        if (input.DiscoveryBlocks)
        {
            failure = input.DiscoveryFailure;
            return MtaStsVerdict.FailClosed;
        }

        if (input.Policy is null)
        {
            if (input.RequireValidCertificateWithoutPolicy && input.CheckFailure is not null)
            {
                failure = input.CheckFailure;
                return MtaStsVerdict.FailClosed;
            }

            failure = input.DiscoveryReportable ? input.DiscoveryFailure : null;
            return failure is null ? MtaStsVerdict.Deliver : MtaStsVerdict.DeliverAndReport;
        }

        if (input.Policy.Mode == MtaStsMode.None || input.CheckFailure is null)
        {
            failure = null;
            return MtaStsVerdict.Deliver;
        }

        failure = input.CheckFailure;
        return input.Policy.Mode == MtaStsMode.Enforce ? MtaStsVerdict.FailClosed : MtaStsVerdict.DeliverAndReport;
    }
}
