namespace MtaSts;

/// <summary>The outcome of selecting the STSv1 record from a TXT RRset (TXT-3, TXT-4).</summary>
internal enum MtaStsRecordSelection
{
    /// <summary>Exactly one valid STSv1 record.</summary>
    Found = 0,

    /// <summary>No record begins with <c>v=STSv1;</c>: the domain publishes no policy.</summary>
    NotFound = 1,

    /// <summary>More than one STSv1 record: no policy is available.</summary>
    Multiple = 2,

    /// <summary>The one STSv1 record is syntactically invalid: no policy is available.</summary>
    Invalid = 3,
}
