namespace MtaSts.Reporting;

/// <summary>
/// The counters of one domain-day, summed and bounded (the memory and file stores' unit; the Redis store applies the
/// same bounds in its script). Policy texts and failure details are the recipient's choice, so past the bounds a new
/// policy's sessions are dropped and counted, and a new detail folds into one overflow entry per result type.
/// Not thread-safe: the stores lock around it.
/// </summary>
internal sealed class TlsRptTally
{
    /// <summary>Distinct policies per domain-day.</summary>
    public const int MaxPolicies = 16;

    /// <summary>Distinct failure details per policy and day, before the overflow entries.</summary>
    public const int MaxDetails = 200;

    private readonly Dictionary<string, Policy> _policies = new(StringComparer.Ordinal);

    /// <summary>Adds <paramref name="counts"/>; returns how many sessions were dropped (a policy past <see cref="MaxPolicies"/>).</summary>
    public long Add(TlsRptCounts counts)
    {
        var key = counts.PolicyText ?? string.Empty;
        if (!_policies.TryGetValue(key, out var policy))
        {
            if (_policies.Count >= MaxPolicies)
            {
                return counts.Successes + counts.Failures;
            }

            _policies[key] = policy = new Policy(counts.PolicyText);
        }

        policy.Successes += counts.Successes;
        policy.Failures += counts.Failures;
        foreach (var detail in counts.Details)
        {
            var identity = detail with { FailedSessionCount = 0 };
            if (!policy.Details.ContainsKey(identity) && policy.Details.Count >= MaxDetails)
            {
                identity = TlsRptCounts.Overflow(detail.ResultType);
            }

            policy.Details[identity] = policy.Details.GetValueOrDefault(identity) + detail.FailedSessionCount;
        }

        return 0;
    }

    /// <summary>The summed counters, one entry per policy.</summary>
    public IReadOnlyList<TlsRptCounts> ToCounts(string domain, DateOnly day) =>
        [.. _policies.Values.Select(p => new TlsRptCounts(domain, day, p.Text, p.Successes, p.Failures,
            [.. p.Details.Select(d => d.Key with { FailedSessionCount = d.Value })]))];

    private sealed class Policy(string? text)
    {
        public string? Text { get; } = text;

        public long Successes { get; set; }

        public long Failures { get; set; }

        public Dictionary<TlsRptFailureDetail, long> Details { get; } = [];
    }
}
