using MtaSts.Reporting;
using MtaSts.Tool.Network;

namespace MtaSts.Tool.Audit;

internal sealed partial class Auditor
{
    // RFC 8460 §3: one v=TLSRPTv1 record at _smtp._tls.<domain> with a usable rua (RPT-6, RPT-7, RPT-8). Without it the
    // owner never hears of senders' failures, which is what testing mode is for.
    private async Task AuditTlsRptAsync(CancellationToken cancellationToken)
    {
        var name = $"_smtp._tls.{_domain}";
        var subject = $"TXT {name}";
        DnsAnswer<string> answer;
        using (_progress.Step($"looking up TXT {name}"))
        {
            answer = await _dns.TxtAsync(name, cancellationToken).ConfigureAwait(false);
        }

        if (answer.Outcome == DnsOutcome.Failed)
        {
            Add(Severity.Warning, AuditCodes.TlsRptMissing, subject, $"the lookup failed ({answer.Error}); senders cannot find where to report");
            return;
        }

        switch (TlsRptRecord.Select(answer.Values, out var record, out var error))
        {
            case MtaStsRecordSelection.Found when record!.ReportingUris.Count > 0:
                _seen.Add($"TLS-RPT: rua={string.Join(",", record.ReportingUris)}");
                return;
            case MtaStsRecordSelection.Found:
                Add(Severity.Error, AuditCodes.TlsRptInvalid, subject, $"no usable rua (only mailto: and https:, RPT-8): {string.Join(", ", record!.SkippedUris)}");
                return;
            case MtaStsRecordSelection.NotFound:
                Add(Severity.Warning, AuditCodes.TlsRptMissing, subject, "no v=TLSRPTv1 record: senders' TLS failure reports go nowhere (RFC 8460 §3)");
                return;
            default:
                Add(Severity.Error, AuditCodes.TlsRptInvalid, subject, $"{error}; senders send no reports");
                return;
        }
    }
}
