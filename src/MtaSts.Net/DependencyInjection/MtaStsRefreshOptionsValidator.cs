namespace MtaSts.DependencyInjection;

/// <summary>Reads <see cref="MtaStsRefreshOptions"/> from <c>MtaSts:Refresh</c> (AOT-safe).</summary>
internal sealed class MtaStsRefreshConfigurationBinder : IOptionsBinder<MtaStsRefreshOptions>
{
    public static string Key => "Refresh";

    public static SectionKeys Keys { get; } = new(
    [
        nameof(MtaStsRefreshOptions.CheckInterval), nameof(MtaStsRefreshOptions.RefreshAfter), nameof(MtaStsRefreshOptions.MaxJitter),
        nameof(MtaStsRefreshOptions.MaxConcurrency), nameof(MtaStsRefreshOptions.FailureBackoff), nameof(MtaStsRefreshOptions.MaxFailureBackoff),
    ]);

    public static void Bind(ConfigurationReader reader, MtaStsRefreshOptions options)
    {
        reader.TimeSpan(nameof(MtaStsRefreshOptions.CheckInterval), v => options.CheckInterval = v);
        reader.TimeSpan(nameof(MtaStsRefreshOptions.RefreshAfter), v => options.RefreshAfter = v);
        reader.TimeSpan(nameof(MtaStsRefreshOptions.MaxJitter), v => options.MaxJitter = v);
        reader.Int(nameof(MtaStsRefreshOptions.MaxConcurrency), v => options.MaxConcurrency = v);
        reader.TimeSpan(nameof(MtaStsRefreshOptions.FailureBackoff), v => options.FailureBackoff = v);
        reader.TimeSpan(nameof(MtaStsRefreshOptions.MaxFailureBackoff), v => options.MaxFailureBackoff = v);
    }
}

/// <summary>Validates <see cref="MtaStsRefreshOptions"/> at start-up (CACHE-6, CACHE-7): the <c>MtaSts:Refresh</c> section and every option.</summary>
internal sealed class MtaStsRefreshOptionsValidator(MtaStsConfiguration? configuration = null)
    : SectionValidator<MtaStsRefreshOptions, MtaStsRefreshConfigurationBinder>(configuration)
{
    protected override void Check(MtaStsRefreshOptions options, OptionsRules rules)
    {
        rules.Positive(nameof(MtaStsRefreshOptions.CheckInterval), options.CheckInterval);
        rules.Positive(nameof(MtaStsRefreshOptions.RefreshAfter), options.RefreshAfter);
        rules.NotNegative(nameof(MtaStsRefreshOptions.MaxJitter), options.MaxJitter);
        rules.AtLeastOne(nameof(MtaStsRefreshOptions.MaxConcurrency), options.MaxConcurrency);
        rules.Positive(nameof(MtaStsRefreshOptions.FailureBackoff), options.FailureBackoff);
        if (options.MaxFailureBackoff < options.FailureBackoff)
        {
            rules.Fail(nameof(MtaStsRefreshOptions.MaxFailureBackoff),
                $"must be at least {rules.Key(nameof(MtaStsRefreshOptions.FailureBackoff))} ({options.FailureBackoff})", options.MaxFailureBackoff);
        }
    }
}
