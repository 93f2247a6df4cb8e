using MtaSts.Tool.Network;

namespace MtaSts.Tool.Audit;

internal sealed partial class Auditor
{
    // RFC 8461 §3.1: exactly one v=STSv1 record at _mta-sts.<domain> (TXT-3), valid by the grammar (TXT-4, TXT-7).
    private async Task<MtaStsRecord?> AuditRecordAsync(CancellationToken cancellationToken)
    {
        var name = $"_mta-sts.{_domain}";
        var subject = $"TXT {name}";
        DnsAnswer<string> answer;
        using (_progress.Step($"looking up TXT {name}"))
        {
            answer = await _dns.TxtAsync(name, cancellationToken).ConfigureAwait(false);
        }

        if (answer.Outcome == DnsOutcome.Failed)
        {
            Add(Severity.Error, AuditCodes.TxtLookupFailed, subject, $"the lookup failed ({answer.Error}); senders without a cached policy defer or skip MTA-STS (TXT-14)");
            return null;
        }

        var selection = MtaStsRecord.Select(answer.Values, MtaStsParsingMode.Strict, out var record, out var error);
        switch (selection)
        {
            case MtaStsRecordSelection.Found:
                _seen.Add($"record: {record!.Text}");
                return record;
            case MtaStsRecordSelection.NotFound:
                Add(Severity.Error, AuditCodes.TxtMissing, subject, answer.Values.Count == 0
                    ? "no TXT record: senders see no MTA-STS policy (TXT-1)"
                    : $"{answer.Values.Count} TXT record(s), none beginning with v=STSv1; senders see no policy (TXT-3)");
                return null;
            case MtaStsRecordSelection.Multiple:
                Add(Severity.Error, AuditCodes.TxtMultiple, subject, $"{error}; senders treat the domain as having no policy");
                return null;
            default:
                if (MtaStsRecord.Select(answer.Values, MtaStsParsingMode.Tolerant, out var tolerated, out _) == MtaStsRecordSelection.Found)
                {
                    Add(Severity.Warning, AuditCodes.TxtInvalid, subject, $"not RFC grammar ({error}); accepted by tolerant senders only: {string.Join("; ", tolerated!.Leniencies)}");
                    return tolerated;
                }

                Add(Severity.Error, AuditCodes.TxtInvalid, subject, $"'{answer.Values.First(v => v.StartsWith("v=STSv1", StringComparison.Ordinal))}': {error}; senders see no policy (TXT-4)");
                return null;
        }
    }
}
