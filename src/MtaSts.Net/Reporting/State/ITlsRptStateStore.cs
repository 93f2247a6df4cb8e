namespace MtaSts.Reporting;

/// <summary>
/// Where the TLS-RPT counters and the sent markers live between the sessions that record them and the run that sends
/// the day's reports: process memory, a file, or a store shared by a fleet of senders. Counters are only ever added to
/// (never replaced), so every sender of a fleet can add its own; one sender holds a lease while it sends a domain-day,
/// and marks it sent. Every collection is bounded: <see cref="TlsRptOptions.MaxDomainsPerDay"/> domains per day,
/// <see cref="TlsRptTally.MaxPolicies"/> policies per domain-day, <see cref="TlsRptTally.MaxDetails"/> failure details
/// per policy (more fold into one overflow entry per result type).
/// </summary>
internal interface ITlsRptStateStore
{
    /// <summary>Adds counters. One entry is applied whole or not at all.</summary>
    /// <param name="counts">The counters to add, each for one domain, day and policy.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>How many sessions were not counted because a bound was reached.</returns>
    /// <exception cref="TlsRptStateStoreException">The store failed after applying the first <see cref="TlsRptStateStoreException.Applied"/> entries.</exception>
    ValueTask<long> AddAsync(IReadOnlyList<TlsRptCounts> counts, CancellationToken cancellationToken = default);

    /// <summary>The domain-days holding counters, up to <paramref name="until"/>; a store whose entries expire may leave out days older than <see cref="TlsRptOptions.MaxReportAge"/>.</summary>
    /// <param name="until">The newest day of interest.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The domain-days.</returns>
    ValueTask<IReadOnlyList<(string Domain, DateOnly Day)>> ListAsync(DateOnly until, CancellationToken cancellationToken = default);

    /// <summary>The counters of one domain-day, one entry per policy (empty when there are none).</summary>
    /// <param name="domain">The policy domain.</param>
    /// <param name="day">The UTC day.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The counters.</returns>
    ValueTask<IReadOnlyList<TlsRptCounts>> ReadAsync(string domain, DateOnly day, CancellationToken cancellationToken = default);

    /// <summary>Takes the right to send a domain-day's report, unless another owner holds it; it lapses after <paramref name="duration"/>.</summary>
    /// <param name="domain">The policy domain.</param>
    /// <param name="day">The UTC day.</param>
    /// <param name="owner">A name unique to this attempt.</param>
    /// <param name="duration">How long the lease lasts when it is not released (a crashed sender blocks no one longer).</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>Whether the lease is now <paramref name="owner"/>'s.</returns>
    ValueTask<bool> TryLeaseAsync(string domain, DateOnly day, string owner, TimeSpan duration, CancellationToken cancellationToken = default);

    /// <summary>Gives a lease back, when <paramref name="owner"/> still holds it.</summary>
    /// <param name="domain">The policy domain.</param>
    /// <param name="day">The UTC day.</param>
    /// <param name="owner">The lease's owner.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task that completes when the lease is released.</returns>
    ValueTask ReleaseAsync(string domain, DateOnly day, string owner, CancellationToken cancellationToken = default);

    /// <summary>Whether the report of a domain-day was sent.</summary>
    /// <param name="domain">The policy domain.</param>
    /// <param name="day">The UTC day.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns><see langword="true"/> when it was sent.</returns>
    ValueTask<bool> IsSentAsync(string domain, DateOnly day, CancellationToken cancellationToken = default);

    /// <summary>Marks a domain-day sent until <paramref name="keepUntil"/>, drops its counters and releases the lease.</summary>
    /// <param name="domain">The policy domain.</param>
    /// <param name="day">The UTC day.</param>
    /// <param name="owner">The lease's owner.</param>
    /// <param name="keepUntil">When the marker may go (no report of that day can be sent any more).</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task that completes when the report is marked sent.</returns>
    ValueTask CompleteAsync(string domain, DateOnly day, string owner, DateTimeOffset keepUntil, CancellationToken cancellationToken = default);

    /// <summary>Drops the counters of a domain-day without sending them (no TLS-RPT record, too old, or sent already).</summary>
    /// <param name="domain">The policy domain.</param>
    /// <param name="day">The UTC day.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task that completes when the counters are gone.</returns>
    ValueTask ForgetAsync(string domain, DateOnly day, CancellationToken cancellationToken = default);
}
