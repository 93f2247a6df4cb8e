namespace MtaSts.Caching;

/// <summary>
/// What is known about one policy domain (CACHE-10): the state a cache hit returns (policy, id, fetch time), until when
/// the last TXT answer may be trusted, the fetch back-off for a failed id (FETCH-11), and when the policy expires.
/// Every deadline is a monotonic timestamp of the enforcer's <see cref="TimeProvider"/> (<see cref="TimeProvider.GetTimestamp"/>),
/// so a wall clock stepped back or forward neither freezes re-checks and back-off nor stretches a policy's life. The
/// wall-clock fetch time stays on <see cref="State"/> for callers, stores and reports.
/// </summary>
internal sealed record CacheEntry(MtaStsPolicyState State, long TxtFreshUntil, string? FailedFetchId, long RetryFetchAfter, long PolicyExpiresAt)
{
    private long _lastUsed;
    private long _freshBefore = long.MinValue;

    /// <summary>
    /// The policy store could not be read when this entry was made (a Redis outage): the entry holds no policy and must
    /// not be taken for "absent". Every lookup re-reads the store until it answers (RFC 8461 §5.1: a cached policy
    /// may exist there).
    /// </summary>
    public bool StoreUnknown { get; init; }

    public string Domain => State.Domain;

    public MtaStsPolicy? Policy => State.Policy;

    public string? RecordId => State.RecordId;

    public DateTimeOffset FetchedAt => State.FetchedAt ?? DateTimeOffset.MinValue;

    /// <summary>When the entry was last returned or stored, for least-recently-used eviction.</summary>
    public long LastUsed => Volatile.Read(ref _lastUsed);

    /// <summary>CACHE-2: valid up to and including <c>max_age</c> after the fetch.</summary>
    public bool HasValidPolicy(long now) => Policy is not null && now <= PolicyExpiresAt;

    /// <summary>FLOW-15: a hit needs no I/O while the TXT answer is trusted and the policy (if any) is alive.</summary>
    public bool IsFresh(long now) => now < TxtFreshUntil && !StoreUnknown && (Policy is null || now <= PolicyExpiresAt);

    /// <summary>
    /// <see cref="IsFresh"/> in one comparison, for the cache hit (FLOW-15). Valid for an entry taken from the cache:
    /// <see cref="PolicyCache.Set"/> computes the deadline as it stores the entry (<see cref="ComputeFreshBefore"/>), so a
    /// <c>with</c> copy, which starts with its original's deadline, gets its own before any reader can see it.
    /// </summary>
    public bool IsFreshInCache(long now) => now < _freshBefore;

    /// <summary>The first timestamp at which <see cref="IsFresh"/> is false, for <see cref="IsFreshInCache"/>.</summary>
    public void ComputeFreshBefore() =>
        _freshBefore = StoreUnknown ? long.MinValue
            : Policy is null ? TxtFreshUntil
            : Math.Min(TxtFreshUntil, PolicyExpiresAt == long.MaxValue ? long.MaxValue : PolicyExpiresAt + 1);

    /// <summary>Until when the entry is worth keeping at all.</summary>
    public long KeepUntil => Math.Max(Math.Max(TxtFreshUntil, RetryFetchAfter), Policy is null ? long.MinValue : PolicyExpiresAt);

    /// <summary>Marks the entry used at <paramref name="now"/>; a hit within the same coarse tick writes nothing (no
    /// cache-line traffic between cores on the hot path).</summary>
    public void Touch(long now)
    {
        if (Volatile.Read(ref _lastUsed) < now)
        {
            Volatile.Write(ref _lastUsed, now);
        }
    }

    /// <summary>An entry with no policy (<see cref="PolicyExpiresAt"/> is irrelevant).</summary>
    public static CacheEntry WithoutPolicy(MtaStsPolicyState state, long txtFreshUntil, string? failedFetchId = null, long retryFetchAfter = long.MinValue) =>
        new(state, txtFreshUntil, failedFetchId, retryFetchAfter, long.MinValue);
}
