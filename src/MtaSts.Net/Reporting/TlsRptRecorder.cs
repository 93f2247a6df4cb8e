using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace MtaSts.Reporting;

/// <summary>
/// Counts every session's MTA-STS outcome, successes too, by policy domain, policy and UTC day (RFC 8460 §4), and builds
/// the day's aggregate reports. Recording is cheap on the send path: no I/O, and domains never contend for a lock.
/// Under mode <c>none</c> no failure is recorded (RPT-23). The sessions that deliver reports are not recorded (RPT-18).
/// Memory is bounded: at most <see cref="TlsRptOptions.MaxDomainsPerDay"/> domains per day are counted.
/// </summary>
public sealed partial class TlsRptRecorder
{
    /// <summary>Distinct policies counted per domain and day; more are dropped and counted.</summary>
    internal const int MaxPoliciesPerDomainDay = 16;

    /// <summary>Distinct failure details per policy and day; more fold into one overflow entry per result type.</summary>
    internal const int MaxDetailsPerPolicy = 200;

    private readonly ConcurrentDictionary<(string Domain, DateOnly Day), ConcurrentDictionary<string, PolicyCounters>> _days = new();
    private readonly ConcurrentDictionary<DateOnly, DayCount> _perDay = new();
    private readonly TimeProvider _time;
    private readonly int _maxDomainsPerDay;
    private readonly TlsRptTelemetry _telemetry;
    private long _version;

    /// <summary>Creates a recorder with the default limits.</summary>
    /// <param name="timeProvider">The clock that decides the UTC day; <see langword="null"/> for the system clock.</param>
    public TlsRptRecorder(TimeProvider? timeProvider = null)
        : this(timeProvider, null)
    {
    }

    /// <summary>Creates a recorder.</summary>
    /// <param name="timeProvider">The clock that decides the UTC day; <see langword="null"/> for the system clock.</param>
    /// <param name="options">The limits (<see cref="TlsRptOptions.MaxDomainsPerDay"/>); <see langword="null"/> for the defaults.</param>
    /// <param name="meterFactory">Where the <c>MtaSts.Net</c> meter comes from; <see langword="null"/> for a meter of its own.</param>
    public TlsRptRecorder(TimeProvider? timeProvider, TlsRptOptions? options, IMeterFactory? meterFactory = null)
    {
        _time = timeProvider ?? TimeProvider.System;
        _maxDomainsPerDay = Math.Max(1, (options ?? new TlsRptOptions()).MaxDomainsPerDay);
        _telemetry = TlsRptTelemetry.Create(meterFactory);
    }

    /// <summary>Changes whenever counters change (to save only when needed).</summary>
    internal long Version => Interlocked.Read(ref _version);

    /// <summary>
    /// Records one session: its decision under <paramref name="state"/>'s policy, or, when DANE decided it
    /// (<see cref="MtaStsDecision.Mechanism"/>), under a <c>tlsa</c> policy block whose policy strings are the MX host's
    /// TLSA records (RFC 8460 §4.3, DANE-6), where a failure is always counted.
    /// </summary>
    /// <param name="state">The policy state the session ran under.</param>
    /// <param name="decision">The session's final decision (from <c>EvaluateTls</c>, or <c>EvaluateMx</c> for an MX refused before connecting).</param>
    /// <param name="session">Addresses and extra detail, when known.</param>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    public void Record(MtaStsPolicyState state, MtaStsDecision decision, TlsRptSession? session = null)
    {
        ArgumentNullException.ThrowIfNull(state);
        var tlsa = decision.Mechanism == MtaStsMechanism.Dane ? new TlsaPolicy(decision.MxHost ?? string.Empty, decision.TlsaRecords ?? []) : null;
        Record(state, decision, session, tlsa);
    }

    private void Record(MtaStsPolicyState state, MtaStsDecision decision, TlsRptSession? session, TlsaPolicy? tlsa)
    {
        var day = DateOnly.FromDateTime(_time.GetUtcNow().UtcDateTime);
        if (DayOf(state.Domain, day) is not { } policies)
        {
            return;
        }

        // Bounded per domain-day: the policy text and the failure details are the recipient's choice (a rotating
        // policy, a new certificate subject or address per session), so past the caps sessions are dropped (policies)
        // or folded into one overflow entry per result type (details), and counted.
        var key = tlsa?.Key ?? PolicyKey(state.Policy);
        if (!policies.TryGetValue(key, out var counters))
        {
            if (policies.Count >= MaxPoliciesPerDomainDay)
            {
                _telemetry.SessionsDropped.Add(1);
                return;
            }

            counters = policies.GetOrAdd(key, static (_, p) => new PolicyCounters(p.Policy, p.Tlsa), (state.Policy, Tlsa: tlsa));
        }

        var failure = decision.Failure;
        // RPT-23: nothing fails under a policy of mode none. RPT-1: without a policy only a reportable discovery failure
        // counts (a valid TXT record whose policy could not be fetched, FLOW-8); other sessions without one succeed.
        if (failure is null || (tlsa is null && (state.Policy?.Mode == MtaStsMode.None || (state.Policy is null && !state.IsDiscoveryFailureReportable))))
        {
            Interlocked.Increment(ref counters.Successes);
        }
        else
        {
            Interlocked.Increment(ref counters.Failures);
            var detail = FailureKey.Create(failure.ResultType, session?.SendingMtaIp, decision.MxHost, session?.ReceivingMxHelo, session?.ReceivingIp,
                session?.AdditionalInformation, failure.ReasonCode, failure.Detail);
            if (counters.Details.Count >= MaxDetailsPerPolicy && !counters.Details.ContainsKey(detail))
            {
                detail = FailureKey.Create(failure.ResultType, null, null, null, null, null, "overflow",
                    $"more than {MaxDetailsPerPolicy} distinct failures this day; the rest are counted here");
            }

            counters.Details.AddOrUpdate(detail, 1, static (_, n) => n + 1);
        }

        Interlocked.Increment(ref _version); // after the change: a save that read the old version saves again
    }

    /// <summary>The domains with sessions recorded on <paramref name="day"/>.</summary>
    /// <param name="day">The UTC day.</param>
    /// <returns>The policy domains.</returns>
    internal IReadOnlyList<string> Domains(DateOnly day) => [.. _days.Keys.Where(k => k.Day == day).Select(k => k.Domain).Order(StringComparer.Ordinal)];

    /// <summary>Builds the report of one domain for one UTC day, or <see langword="null"/> when nothing was recorded.</summary>
    /// <param name="domain">The policy domain.</param>
    /// <param name="day">The UTC day.</param>
    /// <param name="organizationName">The reporting organisation.</param>
    /// <param name="contactInfo">The contact address (its domain is the <c>TLS-Report-Submitter</c>).</param>
    /// <param name="reportId">The report id; <see langword="null"/> for a stable one derived from the domain and day.</param>
    /// <returns>The report.</returns>
    internal TlsRptReport? BuildReport(string domain, DateOnly day, string organizationName, string contactInfo, string? reportId = null)
    {
        if (!_days.TryGetValue((domain, day), out var policies))
        {
            return null;
        }

        var start = new DateTimeOffset(day.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
        return new TlsRptReport(organizationName, start, start.AddDays(1).AddSeconds(-1), contactInfo,
            reportId ?? $"{day:yyyy-MM-dd}_{domain}@{contactInfo.Split('@')[^1]}",
            [.. policies.Values.Select(p => p.ToResult(domain))]);
    }

    /// <summary>
    /// The RFC 8460 JSON report this process has recorded so far for one domain and UTC day (what its part of the daily
    /// report will say), or <see langword="null"/> when nothing was recorded: for inspection and tests; delivery is the
    /// reporting service's.
    /// </summary>
    /// <param name="domain">The policy domain (normalised: lower case, no root dot).</param>
    /// <param name="day">The UTC day.</param>
    /// <param name="organizationName">The reporting organisation.</param>
    /// <param name="contactInfo">The contact address.</param>
    /// <returns>The report JSON, or <see langword="null"/>.</returns>
    public string? PreviewReportJson(string domain, DateOnly day, string organizationName, string contactInfo) =>
        BuildReport(domain, day, organizationName, contactInfo)?.ToJson();

    /// <summary>Drops what was recorded for a domain and day (after its report was delivered).</summary>
    /// <param name="domain">The policy domain.</param>
    /// <param name="day">The UTC day.</param>
    internal void Forget(string domain, DateOnly day)
    {
        if (_days.TryRemove((domain, day), out _))
        {
            Interlocked.Increment(ref _version);
            if (_perDay.TryGetValue(day, out var count))
            {
                Interlocked.Decrement(ref count.Domains);
            }
        }
    }

    /// <summary>The days with counters, oldest first.</summary>
    internal IReadOnlyList<DateOnly> Days() => [.. _days.Keys.Select(k => k.Day).Distinct().Order()];

    /// <summary>Drops every counter of <paramref name="day"/>; returns how many domains it held.</summary>
    internal int ForgetDay(DateOnly day)
    {
        var domains = _days.Keys.Where(k => k.Day == day).ToList();
        foreach (var key in domains)
        {
            Forget(key.Domain, key.Day);
        }

        _perDay.TryRemove(day, out _);
        return domains.Count;
    }

    /// <summary>Drops the per-day bookkeeping of days before <paramref name="day"/> that hold no counters.</summary>
    internal void PruneDayCounts(DateOnly day)
    {
        foreach (var old in _perDay.Keys.Where(d => d < day && !_days.Keys.Any(k => k.Day == d)).ToList())
        {
            _perDay.TryRemove(old, out _);
        }
    }

    /// <summary>How many sessions of <paramref name="day"/> were not counted because of the domain limit; resets the count.</summary>
    internal long TakeDropped(DateOnly day) => _perDay.TryGetValue(day, out var count) ? Interlocked.Exchange(ref count.Dropped, 0) : 0;

    // The day's counters of a domain, created within the per-day limit; null (and counted as dropped) beyond it.
    private ConcurrentDictionary<string, PolicyCounters>? DayOf(string domain, DateOnly day)
    {
        if (_days.TryGetValue((domain, day), out var policies))
        {
            return policies;
        }

        var count = _perDay.GetOrAdd(day, static _ => new DayCount());
        if (Volatile.Read(ref count.Domains) >= _maxDomainsPerDay)
        {
            Interlocked.Increment(ref count.Dropped);
            _telemetry.SessionsDropped.Add(1);
            return null;
        }

        var created = new ConcurrentDictionary<string, PolicyCounters>(StringComparer.Ordinal);
        if (_days.TryAdd((domain, day), created))
        {
            Interlocked.Increment(ref count.Domains);
            return created;
        }

        return _days.TryGetValue((domain, day), out policies) ? policies : null;
    }

    /// <summary>
    /// Takes every counter recorded since the last drain, leaving zeros, for the state store to add. Exact without a
    /// lock: each counter is swapped for zero, so a session recorded meanwhile lands in this drain or the next. Days
    /// before <paramref name="keepFrom"/> are dropped once drained (no session is recorded on them any more).
    /// </summary>
    internal IReadOnlyList<TlsRptCounts> Drain(DateOnly keepFrom)
    {
        List<TlsRptCounts> drained = [];
        foreach (var ((domain, day), policies) in _days)
        {
            foreach (var counters in policies.Values)
            {
                var successes = Interlocked.Exchange(ref counters.Successes, 0);
                var failures = Interlocked.Exchange(ref counters.Failures, 0);
                List<TlsRptFailureDetail> details = [];
                foreach (var key in counters.Details.Keys)
                {
                    if (counters.Details.TryRemove(key, out var count))
                    {
                        details.Add(key.ToDetail(count));
                    }
                }

                if (successes != 0 || failures != 0 || details.Count > 0)
                {
                    drained.Add(new TlsRptCounts(domain, day, counters.Tlsa?.Key ?? counters.Policy?.Text, successes, failures, details)); // DANE-6: a tlsa block keeps its kind
                }
            }

            if (day < keepFrom)
            {
                Forget(domain, day);
            }
        }

        if (drained.Count > 0)
        {
            Interlocked.Increment(ref _version);
        }

        return drained;
    }

    /// <summary>Adds drained counters back (the state store could not take them); they go out with the next drain.</summary>
    internal void Restore(IEnumerable<TlsRptCounts> counts)
    {
        foreach (var entry in counts)
        {
            MtaStsPolicy? policy = null;
            var tlsa = TlsaPolicy.FromKey(entry.PolicyText);
            if ((tlsa is null && entry.PolicyText is not null && !MtaStsPolicy.TryParse(entry.PolicyText, MtaStsParsingMode.Lenient, out policy, out _))
                || DayOf(entry.Domain, entry.Day) is not { } policies)
            {
                continue;
            }

            var counters = policies.GetOrAdd(tlsa?.Key ?? PolicyKey(policy), static (_, p) => new PolicyCounters(p.Policy, p.Tlsa), (Policy: policy, Tlsa: tlsa));
            Interlocked.Add(ref counters.Successes, entry.Successes);
            Interlocked.Add(ref counters.Failures, entry.Failures);
            foreach (var detail in entry.Details)
            {
                var key = FailureKey.Create(detail.ResultType, detail.SendingMtaIp, detail.ReceivingMxHostname, detail.ReceivingMxHelo, detail.ReceivingIp,
                    detail.AdditionalInformation, detail.FailureReasonCode, null);
                counters.Details.AddOrUpdate(key, detail.FailedSessionCount, (_, n) => n + detail.FailedSessionCount);
            }

            Interlocked.Increment(ref _version);
        }
    }

    private static string PolicyKey(MtaStsPolicy? policy) => policy?.Text ?? string.Empty;
}
