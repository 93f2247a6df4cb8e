namespace MtaSts.Tool.Audit;

/// <summary>The result of an audit: the findings in check order, and what was seen on the way (for the text output).</summary>
internal sealed record AuditReport(string Domain, IReadOnlyList<Finding> Findings, IReadOnlyList<string> Seen)
{
    public int Errors => Findings.Count(f => f.Severity == Severity.Error);

    public int Warnings => Findings.Count(f => f.Severity == Severity.Warning);
}
