namespace MtaSts.Reporting;

/// <summary>What became of one domain's report for one day.</summary>
/// <param name="Domain">The policy domain.</param>
/// <param name="ReportId">The report id, when a report was built.</param>
/// <param name="Status">Delivered, not wanted (no TLS-RPT record), already sent, or failed (to be retried).</param>
/// <param name="Detail">Where it went, or why not.</param>
internal sealed record TlsRptDeliveryOutcome(string Domain, string? ReportId, TlsRptDeliveryStatus Status, string? Detail)
{
    /// <summary>The UTC day the report covers.</summary>
    public DateOnly Day { get; init; }
}

/// <summary>The status of a report delivery.</summary>
internal enum TlsRptDeliveryStatus
{
    /// <summary>An endpoint accepted the report.</summary>
    Delivered = 0,

    /// <summary>The domain publishes no usable TLS-RPT record: nothing is sent (RPT-23).</summary>
    NoEndpoint = 1,

    /// <summary>The report was sent before (a restart does not send it twice).</summary>
    AlreadySent = 2,

    /// <summary>Every endpoint failed; the counters are kept and delivery is retried.</summary>
    Failed = 3,

    /// <summary>Another sender sharing the state store holds the lease on this report; it is looked at again at the next retry.</summary>
    SendingElsewhere = 4,
}
