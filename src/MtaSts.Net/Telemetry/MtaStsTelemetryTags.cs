namespace MtaSts.Telemetry;

/// <summary>Tag names of the <c>MtaSts.Net</c> instruments; standard OpenTelemetry names where they exist.</summary>
internal static class MtaStsTelemetryTags
{
    public const string Mode = "mtasts.mode";
    public const string Verdict = "mtasts.verdict";
    public const string FailureKind = "mtasts.failure.kind";
    public const string Source = "mtasts.policy.source";
    public const string DowngradeKind = "mtasts.downgrade.kind";
    public const string ErrorType = "error.type";
    public const string Domain = "mtasts.domain";
    public const string ServerAddress = "server.address";
}
