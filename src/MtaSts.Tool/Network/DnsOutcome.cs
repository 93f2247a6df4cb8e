namespace MtaSts.Tool.Network;

/// <summary>How a DNS question ended.</summary>
internal enum DnsOutcome
{
    /// <summary>At least one record of the type asked.</summary>
    Found,

    /// <summary>NXDOMAIN or NODATA: the records do not exist.</summary>
    NotFound,

    /// <summary>SERVFAIL, REFUSED, a timeout: nothing is known (TXT-14).</summary>
    Failed,
}
