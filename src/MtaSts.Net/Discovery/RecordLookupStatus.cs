namespace MtaSts.Discovery;

/// <summary>The outcome of the <c>_mta-sts</c> record lookup.</summary>
internal enum RecordLookupStatus
{
    /// <summary>Exactly one valid STSv1 record.</summary>
    Found,

    /// <summary>No STSv1 record (NXDOMAIN, NODATA, or only other records).</summary>
    NotFound,

    /// <summary>Several STSv1 records, or an invalid one: no live policy (TXT-3, TXT-4).</summary>
    Invalid,

    /// <summary>The DNS lookup failed temporarily (TXT-14).</summary>
    TemporaryFailure,
}
