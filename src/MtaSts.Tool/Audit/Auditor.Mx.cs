using MtaSts.Tool.Network;

namespace MtaSts.Tool.Audit;

internal sealed partial class Auditor
{
    // RFC 8461 §4.1 against RFC 5321 §5.1: every MX the domain publishes must match a pattern (MX-1), or senders under
    // enforce refuse it; the implicit MX is the domain itself (MXR-3, MXR-4); a null MX accepts no mail (MXR-1).
    private async Task<IReadOnlyList<string>> AuditMxCoverageAsync(MtaStsPolicy? policy, CancellationToken cancellationToken)
    {
        DnsAnswer<(int Preference, string Host)> answer;
        using (_progress.Step($"looking up MX {_domain}"))
        {
            answer = await _dns.MxAsync(_domain, cancellationToken).ConfigureAwait(false);
        }

        if (answer.Outcome == DnsOutcome.Failed)
        {
            Add(Severity.Error, AuditCodes.MxLookupFailed, $"MX {_domain}", $"the lookup failed ({answer.Error}); senders cannot deliver");
            return [];
        }

        if (answer.Values.Count == 1 && answer.Values[0].Host.Length == 0)
        {
            Add(Severity.Info, AuditCodes.MxNull, $"MX {_domain}", "null MX: the domain accepts no mail, so MTA-STS has nothing to protect (MXR-1)");
            return [];
        }

        IReadOnlyList<string> hosts = answer.Values.Count == 0 ? [_domain] : [.. answer.Values.Where(m => m.Host.Length > 0).Select(m => m.Host).Distinct(StringComparer.OrdinalIgnoreCase)];
        _seen.Add(answer.Values.Count == 0 ? $"MX: none, the implicit MX is {_domain} (MXR-3)" : $"MX: {string.Join(", ", answer.Values.Select(m => $"{m.Preference} {m.Host}"))}");
        if (policy is null || policy.Mode == MtaStsMode.None)
        {
            return hosts;
        }

        foreach (var host in hosts.Where(h => !policy.Matches(h)))
        {
            Add(Severity.Error, AuditCodes.MxNotCovered, $"MX {host}",
                $"no mx pattern of the policy matches it ({string.Join(", ", policy.Mx)}); senders {(policy.Mode == MtaStsMode.Enforce ? "refuse this MX" : "report every delivery to it")} (MX-1)");
        }

        foreach (var pattern in policy.Mx.Distinct(StringComparer.OrdinalIgnoreCase))
        {
            if (!hosts.Any(h => PatternMatches(pattern, h)))
            {
                Add(Severity.Warning, AuditCodes.MxPatternUnused, $"mx {pattern}", $"matches none of the domain's MX hosts ({string.Join(", ", hosts)}): stale, or a typo");
            }
        }

        return hosts;
    }

    // The library's matcher (MX-2, MX-3), applied to one pattern at a time.
    private static bool PatternMatches(string pattern, string host) =>
        MtaStsPolicy.TryParse($"version: STSv1\nmode: enforce\nmx: {pattern}\nmax_age: 1\n", MtaStsParsingMode.Tolerant, out var single, out _) && single!.Matches(host);

    // RFC 8461 §4.2, §5: each MX on port 25 offers STARTTLS (CERT-1) with a certificate that chains to a trusted root
    // and is unexpired (CERT-2) and names the MX host in a SAN dNSName (CERT-3).
    private async Task AuditMxHostsAsync(IReadOnlyList<string> hosts, CancellationToken cancellationToken)
    {
        var probe = new SmtpProbe(new HostConnector(_dns, _arguments.Timeout), _arguments.SmtpPort, _arguments.Timeout);
        var targets = hosts.Take(MaxMxHosts).ToList();
        SmtpProbeResult[] results;
        using (_progress.Step($"probing {targets.Count} MX host(s) on port {_arguments.SmtpPort} (STARTTLS)"))
        {
            results = await Task.WhenAll(targets.Select(h => probe.ProbeAsync(h, cancellationToken))).ConfigureAwait(false);
        }

        for (var i = 0; i < targets.Count; i++)
        {
            AuditMxHost(targets[i], results[i]);
        }

        if (hosts.Count > MaxMxHosts)
        {
            _seen.Add($"MX hosts after the first {MaxMxHosts} were not probed");
        }
    }

    private void AuditMxHost(string host, SmtpProbeResult result)
    {
        var subject = $"MX {host}";
        switch (result.Status)
        {
            case SmtpProbeStatus.Unreachable:
                Add(Severity.Error, AuditCodes.MxUnreachable, subject, $"{result.Detail} (port {_arguments.SmtpPort})");
                return;
            case SmtpProbeStatus.NoStartTls:
                Add(Severity.Error, AuditCodes.MxStartTlsMissing, subject, $"{result.Detail}; senders under enforce refuse it (CERT-1)");
                return;
            case SmtpProbeStatus.StartTlsFailed:
                Add(Severity.Error, AuditCodes.MxStartTlsFailed, subject, $"{result.Detail}; senders under enforce refuse it (CERT-1)");
                return;
        }

        var now = _time.GetUtcNow();
        var facts = CertificateReview.Review(result.Certificate!, result.Presented, host, _roots, now);
        var clean = true;
        if (facts.TrustProblem is not null)
        {
            Add(Severity.Error, AuditCodes.MxCertificateUntrusted, subject, $"{facts.TrustProblem} (CERT-2)");
            clean = false;
        }

        if (facts.Expired)
        {
            Add(Severity.Error, AuditCodes.MxCertificateExpired, subject, $"expired on {facts.NotAfter:yyyy-MM-dd} ({(int)(now - facts.NotAfter).TotalDays} days ago) (CERT-2)");
            clean = false;
        }
        else if (facts.NotYetValid)
        {
            Add(Severity.Error, AuditCodes.MxCertificateUntrusted, subject, "not valid yet: its validity period starts in the future (CERT-2)");
            clean = false;
        }
        else if (facts.NotAfter - now < ExpiringWithin)
        {
            Add(Severity.Warning, AuditCodes.MxCertificateExpiring, subject, $"expires on {facts.NotAfter:yyyy-MM-dd HH:mm} UTC, {facts.DaysLeft} days left");
            clean = false;
        }

        if (!facts.NameMatches)
        {
            Add(Severity.Error, AuditCodes.MxCertificateNameMismatch, subject, $"no SAN dNSName matches {host} ({facts.NamesText}; the CN does not count) (CERT-3)");
            clean = false;
        }

        if (clean)
        {
            _seen.Add($"{subject}: {result.Detail}, certificate valid, {facts.DaysLeft} days left");
        }
    }
}
