namespace MtaSts.Tool.Audit;

/// <summary>One audit finding: a severity, a stable code (listed in <see cref="AuditCodes"/>), what it is about, and why.</summary>
internal sealed record Finding(Severity Severity, string Code, string Subject, string Detail)
{
    public string SeverityName => Severity.ToString().ToLowerInvariant();
}
