using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using MtaSts.Caching;
using MtaSts.Discovery;
using MtaSts.Health;
using MtaSts.Telemetry;

using MtaSts;
using MtaSts.DependencyInjection;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers MTA-STS with a service collection.</summary>
public static class MtaStsServiceCollectionExtensions
{
    /// <summary>The configuration section read by <see cref="AddMtaSts(IServiceCollection, IConfiguration)"/>.</summary>
    public const string ConfigurationSection = "MtaSts";

    /// <summary>
    /// Registers <see cref="IMtaStsEnforcer"/>, built as <see cref="MtaStsEnforcer.Create"/> builds it (the same
    /// pipeline: DNS client, policy-host HTTP client with its checks and retries, in-memory cache), with telemetry
    /// through <c>IMeterFactory</c>. Options are validated at start-up. The builder adds a persistent store, a TXT
    /// resolver of your own, TLS reporting and the refresher.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configure">Configures the options.</param>
    /// <returns>A builder to choose the store, the resolver and more.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="services"/> is null.</exception>
    public static IMtaStsBuilder AddMtaSts(this IServiceCollection services, Action<MtaStsOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var options = services.AddOptionsWithSection<MtaStsOptions, MtaStsConfigurationBinder, MtaStsOptionsValidator>();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<MtaStsHealthStatus>();
        services.TryAddSingleton<MtaStsTelemetry>(sp => new MtaStsTelemetry(sp.GetService<System.Diagnostics.Metrics.IMeterFactory>()));
        // One DNS client for discovery, MX lookups and TLS-RPT discovery, kept inside the library: registering the bare
        // ILookupClient would replace (or be replaced by) the application's own.
        services.TryAddSingleton(sp => new SharedDns(EnforcerParts.DnsFor(sp.GetRequiredService<IOptions<MtaStsOptions>>().Value)));
        services.TryAddSingleton<IMtaStsTxtResolver>(sp => new DnsClientTxtResolver(sp.GetRequiredService<SharedDns>().Client.Value));
        services.TryAddSingleton(sp =>
        {
            // The same composition root as MtaStsEnforcer.Create: one pipeline whichever way it is built.
            var parts = new EnforcerParts(
                sp.GetRequiredService<TimeProvider>(),
                sp.GetService<ILoggerFactory>() ?? NullLoggerFactory.Instance,
                sp.GetRequiredService<MtaStsTelemetry>(),
                sp.GetRequiredService<SharedDns>().Client,
                sp.GetRequiredService<IMtaStsTxtResolver>(),
                sp.GetService<IMtaStsPolicyStore>(),
                sp.GetService<MtaStsHealthStatus>());
            return MtaStsEnforcer.Compose(sp.GetRequiredService<IOptions<MtaStsOptions>>().Value, parts, []);
        });
        services.TryAddSingleton<IMtaStsEnforcer>(sp => sp.GetRequiredService<MtaStsEnforcer>());
        return new MtaStsBuilder(services);
    }

    /// <summary>
    /// As <see cref="AddMtaSts(IServiceCollection, Action{MtaStsOptions}?)"/>, with options read from the <c>"MtaSts"</c>
    /// section of <paramref name="configuration"/>; the builder's <c>AddPolicyRefresher()</c>, <c>AddTlsRpt()</c>,
    /// <c>AddMailKit()</c> and <c>AddMtaStsHealthChecks()</c> read its sub-sections <c>Refresh</c>, <c>TlsRpt</c>,
    /// <c>Delivery</c> and <c>HealthChecks</c>. Lambdas (<c>Configure(...)</c>, the <c>configure</c> arguments) run after the
    /// section, so code wins. An unknown key, a value that cannot be read, or a sub-section whose call is missing stops the
    /// host at start with a message naming the key.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configuration">The application configuration (its <c>MtaSts</c> section is read).</param>
    /// <returns>A builder.</returns>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    public static IMtaStsBuilder AddMtaSts(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        services.TryAddSingleton(new MtaStsConfiguration(configuration.GetSection(ConfigurationSection)));
        return services.AddMtaSts();
    }

    private sealed record MtaStsBuilder(IServiceCollection Services) : IMtaStsBuilder;
}

/// <summary>The container's one DNS client for MTA-STS work (not registered as the bare <c>ILookupClient</c>).</summary>
internal sealed record SharedDns(Lazy<DnsClient.ILookupClient> Client);
