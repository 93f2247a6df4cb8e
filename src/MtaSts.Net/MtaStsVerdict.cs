namespace MtaSts;

/// <summary>What a sender may do with one MX host.</summary>
public enum MtaStsVerdict
{
    /// <summary>Deliver: no policy, mode <c>none</c>, or every check passed.</summary>
    Deliver = 0,

    /// <summary>Deliver, and report the failure (mode <c>testing</c>, or a policy that could not be fetched).</summary>
    DeliverAndReport = 1,

    /// <summary>Do not deliver to this MX. Always a temporary outcome: retry later, never bounce (RFC 8461 §5, FLOW-5).</summary>
    FailClosed = 2,
}
