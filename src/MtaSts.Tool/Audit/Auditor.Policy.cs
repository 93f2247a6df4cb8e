using MtaSts.Tool.Network;

namespace MtaSts.Tool.Audit;

internal sealed partial class Auditor
{
    // RFC 8461 §3.2, §3.3: the policy host resolves, presents a certificate valid for its name, serves the policy.
    private async Task<MtaStsPolicy?> AuditPolicyAsync(CancellationToken cancellationToken)
    {
        var host = $"mta-sts.{_domain}";
        var subject = $"https://{host}";
        PolicyFetchOutcome fetched;
        using (_progress.Step($"fetching https://{host}/.well-known/mta-sts.txt"))
        {
            fetched = await new PolicyHostProbe(_dns, _arguments.HttpsPort, _arguments.Timeout).FetchAsync(_domain, cancellationToken).ConfigureAwait(false);
        }

        if (!fetched.Resolved)
        {
            Add(Severity.Error, AuditCodes.PolicyHostUnresolvable, host, $"{fetched.Failure}; senders cannot fetch the policy (FETCH-1)");
            return null;
        }

        if (fetched.Certificate is not null)
        {
            AuditPolicyHostCertificate(host, subject, fetched);
        }

        if (fetched.Body is null)
        {
            Add(Severity.Error, AuditCodes.PolicyFetchFailed, subject, fetched.Failure!);
            return null;
        }

        return AuditPolicyText(fetched.Body);
    }

    // FETCH-2, FETCH-3: a chain to a trusted root, unexpired, a SAN dNSName for mta-sts.<domain>.
    private void AuditPolicyHostCertificate(string host, string subject, PolicyFetchOutcome fetched)
    {
        var now = _time.GetUtcNow();
        var facts = CertificateReview.Review(fetched.Certificate!, fetched.Presented, host, _roots, now);
        List<string> problems = [];
        if (facts.TrustProblem is not null)
        {
            problems.Add(facts.TrustProblem);
        }

        if (!facts.NameMatches)
        {
            problems.Add($"not valid for {host} (SAN dNSNames: {facts.NamesText}; the CN does not count, FETCH-3)");
        }

        if (facts.Expired)
        {
            problems.Add($"expired on {facts.NotAfter:yyyy-MM-dd} ({(int)(now - facts.NotAfter).TotalDays} days ago)");
        }
        else if (facts.NotYetValid)
        {
            problems.Add("not valid yet");
        }

        if (problems.Count > 0)
        {
            Add(Severity.Error, AuditCodes.PolicyHostCertificateInvalid, subject, $"{string.Join("; ", problems)}; senders refuse the policy (FETCH-2)");
        }
        else
        {
            _seen.Add($"policy host certificate: valid, {facts.DaysLeft} days left");
        }
    }

    // RFC 8461 §3.2: strict grammar for the finding; what the library's tolerant default accepts is a warning.
    private MtaStsPolicy? AuditPolicyText(string body)
    {
        const string subject = "policy";
        if (!MtaStsPolicy.TryParse(body, MtaStsParsingMode.Strict, out var policy, out var error))
        {
            if (!MtaStsPolicy.TryParse(body, MtaStsParsingMode.Tolerant, out policy, out _))
            {
                Add(Severity.Error, AuditCodes.PolicyInvalid, subject, $"{error}; senders treat the domain as having no policy (POL-18)");
                return null;
            }

            Add(Severity.Warning, AuditCodes.PolicyInvalid, subject,
                $"not RFC grammar ({error}); MtaSts.Net and other tolerant senders accept it ({string.Join("; ", policy!.Leniencies)}), strict senders ignore the policy");
        }

        _seen.Add($"policy: {policy}");
        switch (policy!.Mode)
        {
            case MtaStsMode.None:
                Add(Severity.Info, AuditCodes.PolicyModeNone, subject, "mode none: senders do not apply MTA-STS (a policy being withdrawn, RFC 8461 §8.3)");
                break;
            case MtaStsMode.Testing:
                Add(Severity.Warning, AuditCodes.PolicyModeTesting, subject, "mode testing: failures are only reported (TLS-RPT), mail is still delivered without TLS protection (FLOW-3)");
                break;
            default:
                if (policy.MaxAge < ShortMaxAge)
                {
                    Add(Severity.Warning, AuditCodes.MaxAgeShort, subject,
                        $"max_age {(long)policy.MaxAge.TotalSeconds} s is under one week ({(long)ShortMaxAge.TotalSeconds} s): a blocked refresh lets the policy lapse soon (SEC-2)");
                }

                break;
        }

        return policy;
    }
}
