using MtaSts.DependencyInjection;

namespace MtaSts.HealthChecks;

/// <summary>Reads <see cref="MtaStsHealthCheckOptions"/> from <c>MtaSts:HealthChecks</c> (AOT-safe), for every registration name.</summary>
internal sealed class MtaStsHealthCheckConfigurationBinder : IOptionsBinder<MtaStsHealthCheckOptions>
{
    public static string Key => "HealthChecks";

    public static SectionKeys Keys { get; } = new(
    [
        nameof(MtaStsHealthCheckOptions.RefreshFailureThreshold), nameof(MtaStsHealthCheckOptions.ExpiryWarning),
        nameof(MtaStsHealthCheckOptions.ReportFailureThreshold), nameof(MtaStsHealthCheckOptions.StoreProbeTimeout),
    ]);

    public static void Bind(ConfigurationReader reader, MtaStsHealthCheckOptions options)
    {
        reader.Int(nameof(MtaStsHealthCheckOptions.RefreshFailureThreshold), v => options.RefreshFailureThreshold = v);
        reader.TimeSpan(nameof(MtaStsHealthCheckOptions.ExpiryWarning), v => options.ExpiryWarning = v);
        reader.Int(nameof(MtaStsHealthCheckOptions.ReportFailureThreshold), v => options.ReportFailureThreshold = v);
        reader.NullableTimeSpan(nameof(MtaStsHealthCheckOptions.StoreProbeTimeout), v => options.StoreProbeTimeout = v);
    }
}

/// <summary>Validates <see cref="MtaStsHealthCheckOptions"/> at start-up: the <c>MtaSts:HealthChecks</c> section and every option.</summary>
internal sealed class MtaStsHealthCheckOptionsValidator(MtaStsConfiguration? configuration = null)
    : SectionValidator<MtaStsHealthCheckOptions, MtaStsHealthCheckConfigurationBinder>(configuration)
{
    protected override void Check(MtaStsHealthCheckOptions options, OptionsRules rules)
    {
        rules.AtLeastOne(nameof(MtaStsHealthCheckOptions.RefreshFailureThreshold), options.RefreshFailureThreshold);
        rules.AtLeastOne(nameof(MtaStsHealthCheckOptions.ReportFailureThreshold), options.ReportFailureThreshold);
        rules.NotNegative(nameof(MtaStsHealthCheckOptions.ExpiryWarning), options.ExpiryWarning);
        if (options.StoreProbeTimeout is { } timeout)
        {
            rules.Positive(nameof(MtaStsHealthCheckOptions.StoreProbeTimeout), timeout);
        }
    }
}
