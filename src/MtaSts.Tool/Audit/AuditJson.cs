namespace MtaSts.Tool.Audit;

/// <summary>The <c>--json</c> shape of an audit: <c>{"domain", "findings":[{"severity","code","subject","detail"}], "summary":{"errors","warnings"}}</c>.</summary>
internal sealed record AuditJson(string Domain, IReadOnlyList<AuditJson.Item> Findings, AuditJson.Totals Summary)
{
    public static AuditJson From(AuditReport report) => new(
        report.Domain,
        [.. report.Findings.Select(f => new Item(f.SeverityName, f.Code, f.Subject, f.Detail))],
        new Totals(report.Errors, report.Warnings));

    /// <summary>One finding.</summary>
    internal sealed record Item(string Severity, string Code, string Subject, string Detail);

    /// <summary>The counts of errors and warnings.</summary>
    internal sealed record Totals(int Errors, int Warnings);
}
