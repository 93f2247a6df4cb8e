namespace MtaSts.Discovery;

/// <summary>The result of a TXT lookup.</summary>
/// <param name="Status">The outcome.</param>
/// <param name="Records">The TXT records, each one's character-strings joined without spaces (TXT-5); empty unless found.</param>
/// <param name="TimeToLive">The smallest TTL of the answer; <see cref="TimeSpan.Zero"/> when unknown.</param>
/// <param name="Detail">A human-readable explanation of a failure.</param>
public sealed record MtaStsTxtLookupResult(MtaStsTxtLookupStatus Status, IReadOnlyList<string> Records, TimeSpan TimeToLive, string? Detail)
{
    /// <summary>A successful lookup.</summary>
    /// <param name="records">The joined TXT records.</param>
    /// <param name="timeToLive">The smallest TTL of the answer.</param>
    /// <returns>The result.</returns>
    public static MtaStsTxtLookupResult Found(IReadOnlyList<string> records, TimeSpan timeToLive) => new(MtaStsTxtLookupStatus.Found, records, timeToLive, null);

    /// <summary>NXDOMAIN or NODATA.</summary>
    /// <param name="detail">What the resolver said.</param>
    /// <returns>The result.</returns>
    public static MtaStsTxtLookupResult NotFound(string detail) => new(MtaStsTxtLookupStatus.NotFound, [], TimeSpan.Zero, detail);

    /// <summary>A temporary failure.</summary>
    /// <param name="detail">What went wrong.</param>
    /// <returns>The result.</returns>
    public static MtaStsTxtLookupResult TemporaryFailure(string detail) => new(MtaStsTxtLookupStatus.TemporaryFailure, [], TimeSpan.Zero, detail);
}
