using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using MtaSts;
using MtaSts.Caching;
using MtaSts.DependencyInjection;
using MtaSts.Health;
using MtaSts.HealthChecks;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Adds the MTA-STS health check to an <see cref="IHealthChecksBuilder"/>.</summary>
public static class MtaStsHealthChecksBuilderExtensions
{
    /// <summary>The name the check is registered under unless another is given.</summary>
    public const string DefaultName = "mta-sts";

    /// <summary>
    /// Adds a check of the MTA-STS enforcer registered by <c>AddMtaSts()</c>. <c>Unhealthy</c>: the persistent policy store
    /// has not answered since start (lookups of domains it holds fail closed). <c>Degraded</c>: the store fails now or
    /// cannot be written; refreshes of an <c>enforce</c> policy failed <see cref="MtaStsHealthCheckOptions.RefreshFailureThreshold"/>
    /// times in a row, or one whose refresh failed expires within <see cref="MtaStsHealthCheckOptions.ExpiryWarning"/>
    /// (needs <c>AddPolicyRefresher()</c>); TLS-RPT deliveries failed <see cref="MtaStsHealthCheckOptions.ReportFailureThreshold"/>
    /// times in a row (needs <c>AddTlsRpt()</c>). Each check reads the store once, bounded by <see cref="MtaStsOptions.StoreTimeout"/>.
    /// </summary>
    /// <param name="builder">The health checks builder.</param>
    /// <param name="configure">Changes the thresholds, after the <c>MtaSts:HealthChecks</c> section of <c>AddMtaSts(configuration)</c> (read for every name).</param>
    /// <param name="name">The registration name.</param>
    /// <param name="tags">Tags to filter the check by (for example <c>"ready"</c>).</param>
    /// <returns>The builder.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> or <paramref name="name"/> is null.</exception>
    public static IHealthChecksBuilder AddMtaStsHealthChecks(this IHealthChecksBuilder builder, Action<MtaStsHealthCheckOptions>? configure = null,
        string name = DefaultName, IEnumerable<string>? tags = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(name);
        var options = builder.Services.AddOptionsWithSection<MtaStsHealthCheckOptions, MtaStsHealthCheckConfigurationBinder, MtaStsHealthCheckOptionsValidator>(name);
        if (configure is not null)
        {
            options.Configure(configure);
        }

        builder.Services.TryAddSingleton<MtaStsHealthStatus>();
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.TryAddSingleton(sp => new StoreProbe(sp.GetService<IMtaStsPolicyStore>(), sp.GetRequiredService<MtaStsHealthStatus>()));
        return builder.Add(new HealthCheckRegistration(name, sp => new MtaStsHealthCheck(
            sp.GetRequiredService<MtaStsHealthStatus>(),
            sp.GetRequiredService<MtaStsEnforcer>(),
            sp.GetRequiredService<StoreProbe>(),
            sp.GetRequiredService<Options.IOptions<MtaStsOptions>>(),
            sp.GetRequiredService<Options.IOptionsMonitor<MtaStsHealthCheckOptions>>(),
            sp.GetRequiredService<TimeProvider>()), failureStatus: null, tags));
    }
}
