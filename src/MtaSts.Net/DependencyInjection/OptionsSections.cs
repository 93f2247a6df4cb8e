using System.Diagnostics.CodeAnalysis;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace MtaSts.DependencyInjection;

/// <summary>
/// The <c>MtaSts</c> section given to <c>AddMtaSts(configuration)</c>. Every options type of the library reads its own
/// part of it: <see cref="MtaStsOptions"/> the section itself, the others one sub-section each (<c>MtaSts:Refresh</c>,
/// <c>MtaSts:TlsRpt</c>, <c>MtaSts:Delivery</c>, <c>MtaSts:HealthChecks</c>). Without it (<c>AddMtaSts(o => ...)</c>) no
/// configuration is read.
/// </summary>
internal sealed record MtaStsConfiguration(IConfigurationSection Section);

/// <summary>A sub-section of <c>MtaSts</c> that a registration reads; a sub-section nothing reads is reported at start.</summary>
internal sealed record MtaStsSectionUse(string Key);

/// <summary>How one options type is read from its configuration section.</summary>
/// <typeparam name="TOptions">The options type.</typeparam>
internal interface IOptionsBinder<in TOptions>
{
    /// <summary>The sub-section of <c>MtaSts</c> (empty: the <c>MtaSts</c> section itself).</summary>
    static abstract string Key { get; }

    /// <summary>The keys the section may hold.</summary>
    static abstract SectionKeys Keys { get; }

    /// <summary>Sets every option the section holds; problems go to the reader.</summary>
    static abstract void Bind(ConfigurationReader reader, TOptions options);
}

/// <summary>Registers and runs the section binders.</summary>
internal static class OptionsSections
{
    /// <summary>The root of every message about options: the configuration section's name.</summary>
    public const string Root = MtaStsServiceCollectionExtensions.ConfigurationSection;

    /// <summary>The full configuration path of a binder's section, for example <c>MtaSts:Refresh</c>.</summary>
    public static string PathOf<TOptions, TBinder>()
        where TBinder : IOptionsBinder<TOptions> =>
        TBinder.Key.Length == 0 ? Root : $"{Root}:{TBinder.Key}";

    /// <summary>Reads the binder's section into <paramref name="options"/>; returns what could not be read.</summary>
    public static List<string> Bind<TOptions, TBinder>(MtaStsConfiguration configuration, TOptions options)
        where TBinder : IOptionsBinder<TOptions>
    {
        var section = TBinder.Key.Length == 0 ? configuration.Section : configuration.Section.GetSection(TBinder.Key);
        var reader = new ConfigurationReader(section, TBinder.Keys);
        TBinder.Bind(reader, options);
        return reader.Problems;
    }

    /// <summary>
    /// Registers the options with their section (applied before any <c>configure</c> lambda registered after this call,
    /// so code wins over configuration) and their validator, run at start. Calling it twice registers nothing twice.
    /// </summary>
    /// <returns>The options builder, for the caller's lambda.</returns>
    public static OptionsBuilder<TOptions> AddOptionsWithSection<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicParameterlessConstructor)] TOptions, TBinder,
        [DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicConstructors)] TValidator>(this IServiceCollection services, string? name = null)
        where TOptions : class
        where TBinder : IOptionsBinder<TOptions>
        where TValidator : class, IValidateOptions<TOptions>
    {
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IConfigureOptions<TOptions>, SectionConfigureOptions<TOptions, TBinder>>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<TOptions>, TValidator>());
        if (TBinder.Key.Length > 0 && !services.Any(d => d.ServiceType == typeof(MtaStsSectionUse) && Equals(d.ImplementationInstance, new MtaStsSectionUse(TBinder.Key))))
        {
            services.AddSingleton(new MtaStsSectionUse(TBinder.Key));
        }

        return services.AddOptions<TOptions>(name ?? Options.DefaultName).ValidateOnStart();
    }
}

/// <summary>Applies the section to the options of every name, when <c>AddMtaSts(configuration)</c> gave one.</summary>
internal sealed class SectionConfigureOptions<TOptions, TBinder>(MtaStsConfiguration? configuration = null) : IConfigureNamedOptions<TOptions>
    where TOptions : class
    where TBinder : IOptionsBinder<TOptions>
{
    public void Configure(string? name, TOptions options)
    {
        if (configuration is not null)
        {
            // Problems are reported by the validator, which reads the section again: the options carry no side channel.
            _ = OptionsSections.Bind<TOptions, TBinder>(configuration, options);
        }
    }

    public void Configure(TOptions options) => Configure(Options.DefaultName, options);
}

/// <summary>
/// The one validation style of the library's options: what the configuration section could not give (unknown keys,
/// unreadable values), then the rules of the options themselves; every message starts with the full configuration key.
/// </summary>
internal abstract class SectionValidator<TOptions, TBinder>(MtaStsConfiguration? configuration) : IValidateOptions<TOptions>
    where TOptions : class, new()
    where TBinder : IOptionsBinder<TOptions>
{
    /// <summary>The <c>MtaSts</c> section, when the options come from configuration.</summary>
    protected MtaStsConfiguration? Configuration => configuration;

    public ValidateOptionsResult Validate(string? name, TOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        List<string> problems = configuration is null ? [] : OptionsSections.Bind<TOptions, TBinder>(configuration, new TOptions());
        var rules = new OptionsRules(OptionsSections.PathOf<TOptions, TBinder>());
        Check(options, rules);
        problems.AddRange(rules.Problems);
        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }

    /// <summary>Checks the options' values.</summary>
    protected abstract void Check(TOptions options, OptionsRules rules);
}
