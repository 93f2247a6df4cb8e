using System.Net.Http;
using System.Net.Sockets;
using MtaSts.Tool.Cli;
using MtaSts.Tool.Network;

namespace MtaSts.Tool.Check;

/// <summary>
/// <c>mta-sts check &lt;domain&gt; [--mx &lt;host&gt;]...</c>: the sender's view. Runs the library's own enforcer
/// (defaults included: tolerant parsing, fail closed on a temporary DNS failure) and shows the verdict for each MX.
/// Exit 0 when discovery finished, with or without a policy; 1 when a sender would fail closed and defer, or (with
/// <c>--dane</c>) when DANE makes an MX unusable. With <c>--dane</c> each MX also gets its DANE state (<see cref="DaneCheck"/>).
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

        // --dane: the same servers with the DO bit; without it, not one DNSSEC question is asked.
        var secureDns = arguments.Dane ? dns.WithDnssec() : null;
        bool? resolverValidates = null;
        if (secureDns is not null)
        {
            using (progress.Step("asking whether the resolver validates DNSSEC (AD on the signed root)"))
            {
                resolverValidates = await DaneCheck.CheckResolverAsync(secureDns, errors, cancellationToken).ConfigureAwait(false);
            }
        }

        string? mxNote = null;
        DnsAnswer<(int Preference, string Host)>? mx = null;
        IReadOnlyList<(int Preference, string Host)> hosts = [.. arguments.Mx.Select(h => (0, h))];
        if (hosts.Count == 0 || secureDns is not null)
        {
            // With --mx and --dane the MX RRset is still asked: its AD bit and whether it lists the host (RFC 7672 §2.2.1).
            using (progress.Step($"looking up MX {domain}"))
            {
                mx = await (secureDns ?? dns).MxAsync(domain, cancellationToken).ConfigureAwait(false);
            }

            if (hosts.Count == 0)
            {
                (hosts, mxNote) = MxCandidates(mx, domain);
            }
        }

        DaneReport? dane = null;
        if (secureDns is not null)
        {
            using (progress.Step("looking up the DANE (TLSA) records of each MX"))
            {
                dane = await DaneCheck.LookupAsync(secureDns, domain, mx!, [.. hosts.Select(h => h.Host)], resolverValidates, cancellationToken).ConfigureAwait(false);
            }
        }

        var decisions = hosts.Select(h => (h.Preference, Decision: dane is null
            ? state.EvaluateMx(h.Host)
            : state.EvaluateMxWithDane(h.Host, dane.Hosts[h.Host].State))).ToList();
        if (arguments.Json)
        {
            await output.WriteLineAsync(CheckOutput.ToJson(state, decisions, dane)).ConfigureAwait(false);
        }
        else
        {
            await CheckOutput.WriteTextAsync(output, state, decisions, mxNote, dane).ConfigureAwait(false);
        }

        // DANE-5: a host DANE decides against (bogus, indeterminate) is not used, like a failed discovery.
        var daneFailsClosed = decisions.Any(d => d.Decision.Mechanism == MtaStsMechanism.Dane && d.Decision.Verdict == MtaStsVerdict.FailClosed);
        return state.IsFailClosed || daneFailsClosed ? ExitCodes.Problems : ExitCodes.Ok;
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
    private static (IReadOnlyList<(int Preference, string Host)> Hosts, string? Note) MxCandidates(DnsAnswer<(int Preference, string Host)> answer, string domain)
    {
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
