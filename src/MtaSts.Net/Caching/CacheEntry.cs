namespace MtaSts.Caching;

/// <summary>
/// What is known about one policy domain (CACHE-10): the policy with its id and fetch time, until when the last TXT
/// answer may be trusted, and the fetch back-off for a failed id (FETCH-11). <see cref="State"/> is what a cache hit
/// returns, built once so that a hit allocates nothing.
/// </summary>
internal sealed record CacheEntry(
    string Domain,
    MtaStsPolicy? Policy,
    string? RecordId,
    DateTimeOffset FetchedAt,
    DateTimeOffset TxtFreshUntil,
    string? FailedFetchId,
    DateTimeOffset RetryFetchAfter,
    MtaStsPolicyState State)
{
    /// <summary>CACHE-1: the fetch time plus <c>max_age</c>.</summary>
    public DateTimeOffset PolicyExpiresAt => Policy is null ? DateTimeOffset.MinValue : FetchedAt + Policy.MaxAge;

    /// <summary>CACHE-2: valid up to and including <c>max_age</c> after the fetch.</summary>
    public bool HasValidPolicy(DateTimeOffset now) => Policy is not null && now <= PolicyExpiresAt;

    /// <summary>Until when the entry is worth keeping at all.</summary>
    public DateTimeOffset KeepUntil
    {
        get
        {
            var keep = TxtFreshUntil > RetryFetchAfter ? TxtFreshUntil : RetryFetchAfter;
            return Policy is not null && PolicyExpiresAt > keep ? PolicyExpiresAt : keep;
        }
    }
}
