using System.Text.Json;

namespace MtaSts.Tool.Tests.Infrastructure;

/// <summary>One run of the tool: exit code, stdout, stderr.</summary>
public sealed record ToolRun(int Code, string Stdout, string Stderr)
{
    public JsonElement Json() => JsonDocument.Parse(Stdout).RootElement;

    /// <summary>The findings of an audit run with --json, as (severity, code, subject, detail).</summary>
    public List<(string Severity, string Code, string Subject, string Detail)> Findings() =>
        [.. Json().GetProperty("findings").EnumerateArray().Select(f => (
            f.GetProperty("severity").GetString()!, f.GetProperty("code").GetString()!,
            f.GetProperty("subject").GetString()!, f.GetProperty("detail").GetString()!))];
}
