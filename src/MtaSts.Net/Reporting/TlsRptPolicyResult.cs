using System.Text.Json;

namespace MtaSts.Reporting;

/// <summary>One <c>policies[]</c> entry: the policy, the session counts, and the failure details.</summary>
/// <param name="PolicyType"><c>sts</c>, <c>tlsa</c> (DANE, RFC 8460 §4.3) or <c>no-policy-found</c>.</param>
/// <param name="PolicyString">The policy's lines (RPT-10), or the TLSA records for <c>tlsa</c>; empty for <c>no-policy-found</c>.</param>
/// <param name="PolicyDomain">The policy domain, in A-labels.</param>
/// <param name="MxHost">The policy's <c>mx</c> patterns.</param>
/// <param name="TotalSuccessfulSessionCount">Sessions that succeeded.</param>
/// <param name="TotalFailureSessionCount">Sessions that failed.</param>
/// <param name="FailureDetails">Failures grouped by result type and peers.</param>
internal sealed record TlsRptPolicyResult(
    string PolicyType,
    IReadOnlyList<string> PolicyString,
    string PolicyDomain,
    IReadOnlyList<string> MxHost,
    long TotalSuccessfulSessionCount,
    long TotalFailureSessionCount,
    IReadOnlyList<TlsRptFailureDetail> FailureDetails)
{
    internal void Write(Utf8JsonWriter json)
    {
        json.WriteStartObject();
        json.WriteStartObject("policy");
        json.WriteString("policy-type", PolicyType);
        if (PolicyType != "no-policy-found")
        {
            json.WriteStartArray("policy-string");
            foreach (var line in PolicyString)
            {
                json.WriteStringValue(line);
            }

            json.WriteEndArray();
        }

        json.WriteString("policy-domain", PolicyDomain);
        if (MxHost.Count > 0)
        {
            json.WriteStartArray("mx-host");
            foreach (var mx in MxHost)
            {
                json.WriteStringValue(mx);
            }

            json.WriteEndArray();
        }

        json.WriteEndObject();
        json.WriteStartObject("summary");
        json.WriteNumber("total-successful-session-count", TotalSuccessfulSessionCount);
        json.WriteNumber("total-failure-session-count", TotalFailureSessionCount);
        json.WriteEndObject();
        if (FailureDetails.Count > 0)
        {
            json.WriteStartArray("failure-details");
            foreach (var detail in FailureDetails)
            {
                detail.Write(json);
            }

            json.WriteEndArray();
        }

        json.WriteEndObject();
    }

    internal static TlsRptPolicyResult Read(JsonElement element)
    {
        var policy = TlsRptReport.Required(element, "policy");
        var summary = TlsRptReport.Required(element, "summary");
        IReadOnlyList<string> mx = policy.TryGetProperty("mx-host", out var mxHost)
            ? mxHost.ValueKind switch
            {
                JsonValueKind.Array => [.. mxHost.EnumerateArray().Select(e => e.GetString() ?? throw new JsonException("mx-host entries are strings"))],
                JsonValueKind.String => [mxHost.GetString()!],
                _ => throw new JsonException("mx-host is a string or an array"),
            }
            : [];
        return new TlsRptPolicyResult(
            TlsRptReport.RequiredString(policy, "policy-type"),
            policy.TryGetProperty("policy-string", out var lines) ? [.. lines.EnumerateArray().Select(e => e.GetString()!)] : [],
            TlsRptReport.RequiredString(policy, "policy-domain"),
            mx,
            TlsRptReport.Required(summary, "total-successful-session-count").GetInt64(),
            TlsRptReport.Required(summary, "total-failure-session-count").GetInt64(),
            element.TryGetProperty("failure-details", out var details) ? [.. details.EnumerateArray().Select(TlsRptFailureDetail.Read)] : []);
    }
}
