using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

using MtaSts.AspNetCore;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the MTA-STS policy server.</summary>
public static class MtaStsPolicyServerServiceCollectionExtensions
{
    /// <summary>
    /// Registers an <see cref="IMtaStsPolicyProvider"/> reading the <c>MtaStsPolicies</c> section of
    /// <paramref name="configuration"/>: one child per policy domain with <c>Mode</c>, <c>Mx</c> (a list) and
    /// <c>MaxAge</c> (seconds, default 604800). A provider registered earlier is kept (the hosted, multi-tenant case
    /// brings its own). Pair with <c>MapMtaStsPolicy</c>.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configuration">The application's configuration (the section is looked up in it).</param>
    /// <param name="sectionName">The section name.</param>
    /// <returns>The service collection.</returns>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    public static IServiceCollection AddMtaStsPolicyServer(this IServiceCollection services, IConfiguration configuration, string sectionName = MtaStsPolicyServerDefaults.SectionName)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        ArgumentNullException.ThrowIfNull(sectionName);
        services.TryAddSingleton<IMtaStsPolicyProvider>(_ => new ConfigurationPolicyProvider(configuration.GetSection(sectionName)));
        return services;
    }
}
