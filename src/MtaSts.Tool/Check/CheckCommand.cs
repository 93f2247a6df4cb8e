using System.Net.Http;
using System.Net.Sockets;
using MtaSts.Tool.Cli;
using MtaSts.Tool.Network;

namespace MtaSts.Tool.Check;

/// <summary>
/// <c>mta-sts check &lt;domain&gt; [--mx &lt;host&gt;]...</c>: the sender's view. Runs the library's own enforcer
/// (defaults included: tolerant parsing, fail closed on a temporary DNS failure) and shows the verdict for each MX.
/// Exit 0 when discovery finished, with or without a policy; 1 when a sender would fail closed and defer.
/// </summary>
internal static class CheckCommand
{
    public static async Task<int> RunAsync(ToolArguments arguments, TextWriter output, TextWriter errors, CancellationToken cancellationToken)
    {
        if (arguments.Operands.Count != 1)
        {
            return await ToolApp.UsageErrorAsync(errors, arguments.Operands.Count == 0 ? "check: a domain is required" : $"check: unexpected argument: {arguments.Operands[1]}").ConfigureAwait(false);
        }

        if (!DomainInput.TryNormalize(arguments.Operands[0], out var domain, out var error))
        {
            return await ToolApp.UsageErrorAsync(errors, $"check: {error}").ConfigureAwait(false);
        }

        if (!TrustRoots.TryLoad(arguments.CaFile, out var roots, out error))
        {
            return await ToolApp.UsageErrorAsync(errors, error!).ConfigureAwait(false);
        }

        var dns = new ToolDns(arguments.NameServers, arguments.Timeout);
        using var enforcer = MtaStsEnforcer.Create(Options(arguments, roots, dns));
        var progress = new Progress(errors);
        MtaStsPolicyState state;
        using (progress.Step($"discovering the policy of {domain} (TXT, then HTTPS)"))
        {
            state = await enforcer.GetPolicyAsync(domain, cancellationToken).ConfigureAwait(false);
        }

        string? mxNote = null;
        IReadOnlyList<(int Preference, string Host)> hosts = [.. arguments.Mx.Select(h => (0, h))];
        if (hosts.Count == 0)
        {
            using (progress.Step($"looking up MX {domain}"))
            {
                (hosts, mxNote) = await MxCandidatesAsync(dns, domain, cancellationToken).ConfigureAwait(false);
            }
        }

        var decisions = hosts.Select(h => (h.Preference, Decision: state.EvaluateMx(h.Host))).ToList();
        if (arguments.Json)
        {
            await output.WriteLineAsync(CheckOutput.ToJson(state, decisions)).ConfigureAwait(false);
        }
        else
        {
            await CheckOutput.WriteTextAsync(output, state, decisions, mxNote).ConfigureAwait(false);
        }

        return state.IsFailClosed ? ExitCodes.Problems : ExitCodes.Ok;
    }

    private static MtaStsOptions Options(ToolArguments arguments, System.Security.Cryptography.X509Certificates.X509Certificate2Collection? roots, ToolDns dns)
    {
        var options = new MtaStsOptions
        {
            DnsTimeout = arguments.Timeout,
            FetchTimeout = arguments.Timeout,
            PolicyHostTrustedRoots = roots,
            MxTrustedRoots = roots,
        };
        foreach (var server in arguments.NameServers)
        {
            options.NameServers.Add(server);
        }

        if (arguments.ResolvesItself)
        {
            // mta-sts.<domain> resolved through the same DNS servers as the TXT record, on --https-port (default 443).
            var connector = new HostConnector(dns, arguments.Timeout);
            options.PolicyHostConnectCallback = async (context, ct) =>
            {
                var connected = await connector.ConnectAsync(context.DnsEndPoint.Host, arguments.HttpsPort, ct).ConfigureAwait(false);
                return connected.Socket is null
                    ? throw new HttpRequestException(connected.Error)
                    : new NetworkStream(connected.Socket, ownsSocket: true);
            };
        }

        return options;
    }

    // The MX hosts in preference order (RFC 5321 §5.1): the implicit MX without records (MXR-3), none for a null MX (MXR-1).
    private static async Task<(IReadOnlyList<(int Preference, string Host)> Hosts, string? Note)> MxCandidatesAsync(ToolDns dns, string domain, CancellationToken cancellationToken)
    {
        var answer = await dns.MxAsync(domain, cancellationToken).ConfigureAwait(false);
        if (answer.Outcome == DnsOutcome.Failed)
        {
            return ([], $"MX lookup failed: {answer.Error}");
        }

        if (answer.Values.Count == 0)
        {
            return ([(0, domain)], "no MX records: the domain itself is the implicit MX (RFC 5321 §5.1)");
        }

        if (answer.Values.Count == 1 && answer.Values[0].Host.Length == 0)
        {
            return ([], "null MX: the domain accepts no mail (RFC 7505)");
        }

        return ([.. answer.Values.Where(m => m.Host.Length > 0)], null);
    }
}
