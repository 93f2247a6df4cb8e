using System.Text.Json;

namespace MtaSts.Tool.Audit;

/// <summary>Writes an audit as a table a postmaster reads at a glance, or as one JSON document.</summary>
internal static class AuditOutput
{
    public static async Task WriteJsonAsync(TextWriter output, AuditReport report) =>
        await output.WriteLineAsync(JsonSerializer.Serialize(AuditJson.From(report), ToolJsonContext.Default.AuditJson)).ConfigureAwait(false);

    public static async Task WriteTextAsync(TextWriter output, AuditReport report)
    {
        var verdict = report.Findings.Count == 0 ? "no findings"
            : $"{Count(report.Errors, "error")}, {Count(report.Warnings, "warning")}" + (report.Findings.Count > report.Errors + report.Warnings
                ? $", {Count(report.Findings.Count - report.Errors - report.Warnings, "note")}" : string.Empty);
        await output.WriteLineAsync($"MTA-STS audit of {report.Domain}: {verdict}").ConfigureAwait(false);
        if (report.Findings.Count > 0)
        {
            var code = Math.Max(4, report.Findings.Max(f => f.Code.Length));
            var subject = Math.Min(40, Math.Max(7, report.Findings.Max(f => f.Subject.Length)));
            await output.WriteLineAsync().ConfigureAwait(false);
            await output.WriteLineAsync($"  {"SEVERITY",-8}  {"CODE".PadRight(code)}  {"SUBJECT".PadRight(subject)}  DETAIL").ConfigureAwait(false);
            foreach (var f in report.Findings.OrderByDescending(f => f.Severity))
            {
                await output.WriteLineAsync($"  {f.SeverityName,-8}  {f.Code.PadRight(code)}  {f.Subject.PadRight(subject)}  {f.Detail}").ConfigureAwait(false);
            }
        }

        if (report.Seen.Count > 0)
        {
            await output.WriteLineAsync().ConfigureAwait(false);
            await output.WriteLineAsync("Checked:").ConfigureAwait(false);
            foreach (var line in report.Seen)
            {
                await output.WriteLineAsync($"  {line}").ConfigureAwait(false);
            }
        }
    }

    private static string Count(int n, string noun) => $"{n} {noun}{(n == 1 ? string.Empty : "s")}";
}
