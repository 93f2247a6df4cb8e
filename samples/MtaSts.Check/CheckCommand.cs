using System.Text.Json;

namespace MtaSts.Check;

/// <summary>Discovers the MTA-STS policy of a domain and shows the verdict for each MX host.</summary>
public static class CheckCommand
{
    public const int Finished = 0;
    public const int DiscoveryFailed = 1;
    public const int BadUsage = 2;

    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter errors, Action<MtaStsOptions>? configure = null,
        CancellationToken cancellationToken = default)
    {
        if (!CheckArguments.TryParse(args, out var parsed, out var error))
        {
            if (error is not null)
            {
                await errors.WriteLineAsync(error);
            }

            await errors.WriteLineAsync(CheckArguments.Usage);
            return BadUsage;
        }

        var options = new MtaStsOptions();
        foreach (var server in parsed!.NameServers)
        {
            options.NameServers.Add(server);
        }

        configure?.Invoke(options);
        using var enforcer = MtaStsEnforcer.Create(options);
        var state = await enforcer.GetPolicyAsync(parsed.Domain, cancellationToken);

        string? mxNote = null;
        IReadOnlyList<(int Preference, string Host)> hosts = [.. parsed.MxHosts.Select(h => (0, h))];
        if (hosts.Count == 0)
        {
            (hosts, mxNote) = await MxCandidates.LookupAsync(state.Domain, parsed.NameServers, cancellationToken);
        }

        var decisions = hosts.Select(h => (h.Preference, Decision: state.EvaluateMx(h.Host))).ToList();
        if (parsed.Json)
        {
            await output.WriteLineAsync(ToJson(state, decisions));
        }
        else
        {
            await WriteTextAsync(output, state, decisions, mxNote);
        }

        return state.IsFailClosed ? DiscoveryFailed : Finished;
    }

    public static string Verdict(MtaStsVerdict verdict) => verdict switch
    {
        MtaStsVerdict.Deliver => "deliver",
        MtaStsVerdict.DeliverAndReport => "deliver-and-report",
        _ => "fail-closed",
    };

    private static async Task WriteTextAsync(TextWriter output, MtaStsPolicyState state, List<(int Preference, MtaStsDecision Decision)> decisions, string? mxNote)
    {
        await output.WriteLineAsync($"MTA-STS check for {state.Domain}");
        await output.WriteLineAsync($"  1. TXT   _mta-sts.{state.Domain}: {(state.RecordId is null ? "no usable STSv1 record" : $"v=STSv1; id={state.RecordId}")}");
        await output.WriteLineAsync($"  2. HTTPS https://mta-sts.{state.Domain}/.well-known/mta-sts.txt: {state.Source switch
        {
            MtaStsPolicySource.Fetched => "fetched",
            MtaStsPolicySource.Cache => "from cache",
            _ => state.RecordId is null ? "not fetched (no record)" : "no policy",
        }}");
        if (state.DiscoveryFailure is not null)
        {
            await output.WriteLineAsync($"     failure: {state.DiscoveryFailure}");
        }

        await output.WriteLineAsync(state.Policy is null
            ? "  3. Policy: none applies; delivery is opportunistic"
            : $"  3. Policy: mode {state.Policy.Mode.ToString().ToLowerInvariant()}, max_age {(long)state.Policy.MaxAge.TotalSeconds} s, mx [{string.Join(", ", state.Policy.Mx)}]");
        await output.WriteLineAsync("  4. MX verdicts" + (mxNote is null ? string.Empty : $" ({mxNote})"));
        foreach (var (preference, decision) in decisions)
        {
            await output.WriteLineAsync($"     {preference,5} {decision.MxHost,-40} {Verdict(decision.Verdict),-20} {decision.Failure?.ToString() ?? string.Empty}");
        }
    }

    private static string ToJson(MtaStsPolicyState state, List<(int Preference, MtaStsDecision Decision)> decisions)
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
            json.WriteStartArray("mx");
            foreach (var (_, decision) in decisions)
            {
                json.WriteStartObject();
                json.WriteString("host", decision.MxHost);
                json.WriteString("verdict", Verdict(decision.Verdict));
                WriteFailure(json, "failure", decision.Failure);
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        return System.Text.Encoding.UTF8.GetString(buffer.ToArray());
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
