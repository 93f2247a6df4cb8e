namespace MtaSts.Caching;

/// <summary>
/// What is known about one policy domain (CACHE-10): the state a cache hit returns (policy, id, fetch time), until when
/// the last TXT answer may be trusted, and the fetch back-off for a failed id (FETCH-11). Kept small: 100,000 cached
/// domains are a memory budget, so the policy facts live only in <see cref="State"/> and the times as ticks.
/// </summary>
internal sealed record CacheEntry
{
    private readonly long _txtFreshUntil;
    private readonly long _retryFetchAfter;

    public CacheEntry(MtaStsPolicyState state, DateTimeOffset txtFreshUntil, string? failedFetchId, DateTimeOffset retryFetchAfter)
    {
        State = state;
        TxtFreshUntil = txtFreshUntil;
        FailedFetchId = failedFetchId;
        RetryFetchAfter = retryFetchAfter;
    }

    /// <summary>What a cache hit returns; built once so that a hit allocates nothing.</summary>
    public MtaStsPolicyState State { get; init; }

    /// <summary>Until when the last TXT answer is trusted (FLOW-15).</summary>
    public DateTimeOffset TxtFreshUntil { get => new(_txtFreshUntil, TimeSpan.Zero); init => _txtFreshUntil = value.UtcTicks; }

    /// <summary>The id whose fetch failed last, if any (FETCH-11).</summary>
    public string? FailedFetchId { get; init; }

    /// <summary>No fetch of <see cref="FailedFetchId"/> before this time.</summary>
    public DateTimeOffset RetryFetchAfter { get => new(_retryFetchAfter, TimeSpan.Zero); init => _retryFetchAfter = value.UtcTicks; }

    public string Domain => State.Domain;

    public MtaStsPolicy? Policy => State.Policy;

    public string? RecordId => State.RecordId;

    public DateTimeOffset FetchedAt => State.FetchedAt ?? DateTimeOffset.MinValue;

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
