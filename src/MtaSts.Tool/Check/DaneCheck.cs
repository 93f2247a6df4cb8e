using DnsClient;
using MtaSts.Dane;
using MtaSts.Tool.Network;

namespace MtaSts.Tool.Check;

/// <summary>
/// <c>mta-sts check --dane</c>: the DANE facts of each MX host (RFC 7672 §2.2) through the resolver's AD bit, so the
/// verdict becomes the one a sender with DANE enabled reaches (<see cref="MtaStsPolicyState.EvaluateMxWithDane"/>).
/// <code>
/// the resolver sets no AD for the signed root   → a warning: every state will read insecure
/// MX lookup failed (asked for --mx hosts)        → indeterminate: whether the MX RRset is signed is unknown (DANE-5)
/// host not in the MX RRset, null MX              → DANE does not apply (RFC 7672 §2.2.1)
/// otherwise                                      → DaneLookup: MX RRset AD, address records, TLSA (DANE-1..5)
/// </code>
/// At most <see cref="MaxHosts"/> hosts are looked up, each question bounded by <c>--timeout</c>.
/// </summary>
internal static class DaneCheck
{
    /// <summary>The most MX hosts whose DANE state is looked up (the direct sender's <c>MaxMxHosts</c> default).</summary>
    public const int MaxHosts = 10;

    /// <summary>Asks the resolver once whether it validates; writes a warning to <paramref name="errors"/> when it does not.</summary>
    public static async Task<bool?> CheckResolverAsync(ToolDns secureDns, TextWriter errors, CancellationToken cancellationToken)
    {
        var dane = secureDns.Dane();
        var validates = dane is null ? null : await dane.ResolverSetsAdAsync(cancellationToken).ConfigureAwait(false);
        var warning = validates switch
        {
            false => $"mta-sts: warning: the resolver {secureDns.Servers} does not validate DNSSEC (no AD for the signed root): every DANE state will read insecure; use a validating resolver such as a local unbound",
            null => $"mta-sts: note: could not tell whether the resolver {secureDns.Servers} validates DNSSEC (no answer for the root): DANE states may read insecure or indeterminate",
            _ => null,
        };
        if (warning is not null)
        {
            await errors.WriteLineAsync(warning).ConfigureAwait(false);
        }

        if (secureDns.RemoteServers is { Length: > 0 } remote)
        {
            await errors.WriteLineAsync($"mta-sts: note: the resolver {remote} is not on this machine: its AD bit travels unprotected and can be forged on the path (RFC 7672 §2.1); a validating resolver on loopback is the set-up to trust").ConfigureAwait(false);
        }

        return validates;
    }

    /// <summary>
    /// The DANE state of each of <paramref name="hosts"/>, given the domain's MX answer asked with the DO bit
    /// (<paramref name="mx"/>); hosts given with <c>--mx</c> are checked against it.
    /// </summary>
    public static async Task<DaneReport> LookupAsync(ToolDns secureDns, string domain, DnsAnswer<(int Preference, string Host)> mx,
        IReadOnlyList<string> hosts, bool? resolverValidates, CancellationToken cancellationToken)
    {
        var lookup = secureDns.Dane();
        Dictionary<string, MxDane> states = new(StringComparer.OrdinalIgnoreCase);
        var asked = 0;
        foreach (var host in hosts.Distinct(StringComparer.OrdinalIgnoreCase))
        {
            if (asked++ >= MaxHosts)
            {
                states[host] = MxDane.DoesNotApply(host, $"not looked up beyond the first {MaxHosts} MX hosts, as a sender tries no more");
                continue;
            }

            var notInRrset = NotInRrset(domain, mx, host);
            if (mx.Outcome == DnsOutcome.Failed || lookup is null)
            {
                // RFC 7672 §2.2.1: whether the MX RRset is signed is unknown, so DANE may apply; never "insecure" (DANE-5).
                states[host] = new MxDane(DaneState.Indeterminate(host,
                    $"the MX lookup of {domain} failed ({mx.Error}): whether its MX RRset is signed is unknown"));
            }
            else if (notInRrset is not null)
            {
                states[host] = MxDane.DoesNotApply(host, notInRrset);
            }
            else
            {
                var state = await lookup.LookupAsync(host.TrimEnd('.'), domain, mx.Authenticated, cancellationToken).ConfigureAwait(false);
                states[host] = new MxDane(state);
            }
        }

        return new DaneReport(secureDns.Servers, resolverValidates, mx.Outcome == DnsOutcome.Failed ? null : mx.Authenticated, states);
    }

    // Why DANE does not apply to a host outside the domain's MX RRset (or its implicit MX); null when it is in it.
    private static string? NotInRrset(string domain, DnsAnswer<(int Preference, string Host)> mx, string host)
    {
        var name = host.TrimEnd('.');
        if (mx.Values.Count == 1 && mx.Values[0].Host.Length == 0)
        {
            return $"{domain} publishes a null MX (RFC 7505): no host receives its mail";
        }

        if (mx.Values.Count == 0)
        {
            return string.Equals(name, domain, StringComparison.OrdinalIgnoreCase)
                ? null
                : $"{name} is not the implicit MX of {domain}, which has no MX records (RFC 5321 §5.1): DANE applies to MX hosts only (RFC 7672 §2.2.1)";
        }

        return mx.Values.Any(m => string.Equals(m.Host, name, StringComparison.OrdinalIgnoreCase))
            ? null
            : $"{name} is not in the MX RRset of {domain} ({string.Join(", ", mx.Values.Select(m => m.Host))}): DANE applies to MX hosts only (RFC 7672 §2.2.1)";
    }
}
