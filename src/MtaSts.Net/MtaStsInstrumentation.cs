namespace MtaSts;

/// <summary>
/// The names to subscribe to for MtaSts.Net's telemetry, for example with OpenTelemetry:
/// <c>metrics.AddMeter(MtaStsInstrumentation.MeterName)</c> and <c>tracing.AddSource(MtaStsInstrumentation.ActivitySourceName)</c>.
/// Every package of the library (MtaSts.Net, MtaSts.Net.MailKit) records on these; docs/operations.md lists the instruments.
/// </summary>
public static class MtaStsInstrumentation
{
    /// <summary>The name of the <see cref="System.Diagnostics.Metrics.Meter"/> that carries every MtaSts.Net instrument.</summary>
    public const string MeterName = "MtaSts.Net";

    /// <summary>The name of the <see cref="System.Diagnostics.ActivitySource"/> of the policy resolution and fetch spans.</summary>
    public const string ActivitySourceName = "MtaSts.Net";
}
