using System.Text;
using System.Text.Json;

namespace MtaSts.Tool.Check;

/// <summary>
/// The check as text, or as one JSON object:
/// <c>{"domain", "record":{"id"}|null, "policy":{"mode","mx","max_age"}|null, "failure":{"kind","detail"}|null, "fail_closed", "mx":[{"host","verdict","failure"}]}</c>;
/// with <c>--dane</c> also a <c>"dane"</c> object before <c>"mx"</c> and DANE fields on each MX (<see cref="DaneOutput"/>).
/// </summary>
internal static class CheckOutput
{
    public static string Verdict(MtaStsVerdict verdict) => verdict switch
    {
        MtaStsVerdict.Deliver => "deliver",
        MtaStsVerdict.DeliverAndReport => "deliver-and-report",
        _ => "fail-closed",
    };

    public static async Task WriteTextAsync(TextWriter output, MtaStsPolicyState state, List<(int Preference, MtaStsDecision Decision)> decisions, string? mxNote,
        DaneReport? dane = null)
    {
        await output.WriteLineAsync($"MTA-STS check for {state.Domain}").ConfigureAwait(false);
        await output.WriteLineAsync($"  1. TXT   _mta-sts.{state.Domain}: {(state.RecordId is null ? state.IsFailClosed ? "lookup failed" : "no usable STSv1 record" : $"v=STSv1; id={state.RecordId}")}").ConfigureAwait(false);
        await output.WriteLineAsync($"  2. HTTPS https://mta-sts.{state.Domain}/.well-known/mta-sts.txt: {(state.Policy is not null ? "fetched" : state.RecordId is null ? "not fetched" : "no policy")}").ConfigureAwait(false);
        if (state.DiscoveryFailure is not null)
        {
            await output.WriteLineAsync($"     failure: {state.DiscoveryFailure}").ConfigureAwait(false);
        }

        await output.WriteLineAsync(PolicyLine(state)).ConfigureAwait(false);
        await output.WriteLineAsync("  4. MX verdicts" + (mxNote is null ? string.Empty : $" ({mxNote})")).ConfigureAwait(false);
        if (dane is not null)
        {
            await output.WriteLineAsync(DaneOutput.Summary(dane, state.Domain)).ConfigureAwait(false);
        }

        foreach (var (preference, decision) in decisions)
        {
            await output.WriteLineAsync($"     {preference,5} {decision.MxHost,-40} {Verdict(decision.Verdict),-20} {decision.Failure?.ToString() ?? string.Empty}").ConfigureAwait(false);
            if (dane is not null)
            {
                await output.WriteLineAsync($"           {DaneOutput.Line(dane.Hosts[decision.MxHost!], decision)}").ConfigureAwait(false);
            }
        }
    }

    // Truthful on failure: a temporary TXT failure with nothing cached is not "no policy" — the library fails closed
    // and defers by default (TXT-14, SEC-1, MtaStsOptions.DnsFailureBehavior); a fetch failure delivers and reports (FLOW-8).
    private static string PolicyLine(MtaStsPolicyState state)
    {
        if (state.Policy is not null)
        {
            return $"  3. Policy: mode {state.Policy.Mode.ToString().ToLowerInvariant()}, max_age {(long)state.Policy.MaxAge.TotalSeconds} s, mx [{string.Join(", ", state.Policy.Mx)}]";
        }

        if (state.IsFailClosed)
        {
            return "  3. Policy: unknown: the TXT lookup failed temporarily; with nothing cached a sender fails closed and defers delivery (the library's default, DnsFailureBehavior = FailClosed)";
        }

        return state.RecordId is null
            ? "  3. Policy: none published; delivery is opportunistic (STARTTLS when offered, any certificate)"
            : "  3. Policy: published but not usable; a sender delivers and reports the failure (FLOW-8)";
    }

    public static string ToJson(MtaStsPolicyState state, List<(int Preference, MtaStsDecision Decision)> decisions, DaneReport? dane = null)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("domain", state.Domain);
            if (state.RecordId is null)
            {
                json.WriteNull("record");
            }
            else
            {
                json.WriteStartObject("record");
                json.WriteString("id", state.RecordId);
                json.WriteEndObject();
            }

            if (state.Policy is null)
            {
                json.WriteNull("policy");
            }
            else
            {
                json.WriteStartObject("policy");
                json.WriteString("mode", state.Policy.Mode.ToString().ToLowerInvariant());
                json.WriteStartArray("mx");
                foreach (var mx in state.Policy.Mx)
                {
                    json.WriteStringValue(mx);
                }

                json.WriteEndArray();
                json.WriteNumber("max_age", (long)state.Policy.MaxAge.TotalSeconds);
                json.WriteEndObject();
            }

            WriteFailure(json, "failure", state.DiscoveryFailure);
            json.WriteBoolean("fail_closed", state.IsFailClosed);
            if (dane is not null)
            {
                DaneOutput.WriteReport(json, dane);
            }

            json.WriteStartArray("mx");
            foreach (var (_, decision) in decisions)
            {
                json.WriteStartObject();
                json.WriteString("host", decision.MxHost);
                json.WriteString("verdict", Verdict(decision.Verdict));
                WriteFailure(json, "failure", decision.Failure);
                if (dane is not null)
                {
                    DaneOutput.WriteHost(json, dane.Hosts[decision.MxHost!], decision);
                }

                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    private static void WriteFailure(Utf8JsonWriter json, string name, MtaStsFailure? failure)
    {
        if (failure is null)
        {
            json.WriteNull(name);
            return;
        }

        json.WriteStartObject(name);
        json.WriteString("kind", failure.ResultType);
        json.WriteString("detail", failure.Detail);
        if (failure.ReasonCode is not null)
        {
            json.WriteString("reason", failure.ReasonCode);
        }

        json.WriteEndObject();
    }
}
