namespace MtaSts.Discovery;

/// <summary>The outcome of a TXT lookup.</summary>
public enum MtaStsTxtLookupStatus
{
    /// <summary>The name has TXT records.</summary>
    Found = 0,

    /// <summary>The name does not exist (NXDOMAIN) or has no TXT records (NODATA).</summary>
    NotFound = 1,

    /// <summary>The lookup failed: SERVFAIL, REFUSED, a timeout, a CNAME loop, or a bogus answer (TXT-14).</summary>
    TemporaryFailure = 2,
}
