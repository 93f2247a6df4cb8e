using System.Text.Json;

namespace MtaSts.Reporting;

/// <summary>
/// The counters of one policy domain, UTC day and policy: what a sender adds to the state store, and what the store
/// gives back, summed over every sender, to build the report.
/// </summary>
/// <param name="Domain">The policy domain.</param>
/// <param name="Day">The UTC day.</param>
/// <param name="PolicyText">The policy text; <see langword="null"/> for sessions without a policy (<c>no-policy-found</c>).</param>
/// <param name="Successes">Sessions that succeeded.</param>
/// <param name="Failures">Sessions that failed.</param>
/// <param name="Details">The failure details, each with its count.</param>
internal sealed record TlsRptCounts(string Domain, DateOnly Day, string? PolicyText, long Successes, long Failures, IReadOnlyList<TlsRptFailureDetail> Details)
{
    /// <summary>The overflow entry that failures past <see cref="TlsRptTally.MaxDetails"/> fold into, one per result type.</summary>
    public static TlsRptFailureDetail Overflow(string resultType) =>
        new(resultType, null, null, null, null, 0, null,
            $"overflow: more than {TlsRptTally.MaxDetails} distinct failures this day; the rest are counted here");

    /// <summary>A detail's identity (everything but its count), as the same compact JSON on every sender.</summary>
    public static string DetailKey(TlsRptFailureDetail detail)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            (detail with { FailedSessionCount = 0 }).Write(json);
        }

        return System.Text.Encoding.UTF8.GetString(buffer.ToArray());
    }

    /// <summary>Reads a detail written by <see cref="DetailKey"/>, with <paramref name="count"/>.</summary>
    public static TlsRptFailureDetail ReadDetail(string key, long count)
    {
        using var document = JsonDocument.Parse(key);
        return TlsRptFailureDetail.Read(document.RootElement) with { FailedSessionCount = count };
    }

    /// <summary>The report's <c>policies[]</c> entry.</summary>
    public TlsRptPolicyResult ToResult()
    {
        if (TlsRptRecorder.TlsaPolicy.FromKey(PolicyText) is { } tlsa)
        {
            return new TlsRptPolicyResult("tlsa", tlsa.Records, Domain, [tlsa.MxHost], Successes, Failures, Details); // DANE-6
        }

        MtaStsPolicy? policy = null;
        if (PolicyText is not null)
        {
            MtaStsPolicy.TryParse(PolicyText, MtaStsParsingMode.Lenient, out policy, out _);
        }

        return new TlsRptPolicyResult(
            PolicyText is null ? "no-policy-found" : "sts",
            PolicyText is null ? [] : [.. PolicyText.Split('\n').Select(l => l.TrimEnd('\r')).Where(l => l.Length > 0)],
            Domain,
            policy?.Mx ?? [],
            Successes,
            Failures,
            Details);
    }
}
