using System.Diagnostics.CodeAnalysis;
using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using MtaSts.Caching;
using MtaSts.Discovery;
using MtaSts.Reporting;

using MtaSts;
using MtaSts.DependencyInjection;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Choices on an <see cref="IMtaStsBuilder"/>.</summary>
public static class MtaStsBuilderExtensions
{
    /// <summary>Configures the options (after configuration binding).</summary>
    /// <param name="builder">The builder.</param>
    /// <param name="configure">Changes the options.</param>
    /// <returns>The builder.</returns>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    public static IMtaStsBuilder Configure(this IMtaStsBuilder builder, Action<MtaStsOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configure);
        builder.Services.Configure(configure);
        return builder;
    }

    /// <summary>Keeps policies in a directory, one file per domain, so they survive restarts (CACHE-11).</summary>
    /// <param name="builder">The builder.</param>
    /// <param name="directory">The directory (created when missing).</param>
    /// <returns>The builder.</returns>
    public static IMtaStsBuilder UseFileStore(this IMtaStsBuilder builder, string directory)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        return builder.Replace<IMtaStsPolicyStore>(sp => new FilePolicyStore(directory, sp.GetService<ILogger<FilePolicyStore>>()));
    }

    /// <summary>
    /// Keeps policies in the registered <see cref="IDistributedCache"/> (for example Redis, through
    /// <c>AddStackExchangeRedisCache</c>), shared by every sender of a fleet.
    /// </summary>
    /// <param name="builder">The builder.</param>
    /// <returns>The builder.</returns>
    public static IMtaStsBuilder UseDistributedCacheStore(this IMtaStsBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.Replace<IMtaStsPolicyStore>(sp => new DistributedCachePolicyStore(sp.GetRequiredService<IDistributedCache>()));
    }

    /// <summary>Uses a store of your own.</summary>
    /// <typeparam name="TStore">The store type, resolved from the container.</typeparam>
    /// <param name="builder">The builder.</param>
    /// <returns>The builder.</returns>
    public static IMtaStsBuilder UseStore<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicConstructors)] TStore>(this IMtaStsBuilder builder)
        where TStore : class, IMtaStsPolicyStore
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.Replace<IMtaStsPolicyStore>(ActivatorUtilities.GetServiceOrCreateInstance<TStore>);
    }

    /// <summary>Uses a TXT resolver of your own for the <c>_mta-sts</c> lookup.</summary>
    /// <typeparam name="TResolver">The resolver type, resolved from the container.</typeparam>
    /// <param name="builder">The builder.</param>
    /// <returns>The builder.</returns>
    public static IMtaStsBuilder UseTxtResolver<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicConstructors)] TResolver>(this IMtaStsBuilder builder)
        where TResolver : class, IMtaStsTxtResolver
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.Replace<IMtaStsTxtResolver>(ActivatorUtilities.GetServiceOrCreateInstance<TResolver>);
    }

    /// <summary>
    /// Turns TLS reporting (RFC 8460) on: a <see cref="TlsRptRecorder"/> that the MailKit sender feeds, the <c>https:</c>
    /// transport (the library's own HTTP client), and a hosted service sending each UTC day's reports. Counters
    /// and sent markers are kept in memory, in <see cref="TlsRptOptions.StateDirectory"/> when set, or in Redis, shared by
    /// a fleet, with <c>UseRedisTlsRptState</c> from the MtaSts.Net.Redis package.
    /// </summary>
    /// <param name="builder">The builder.</param>
    /// <param name="configure">
    /// Changes the options, after the <c>MtaSts:TlsRpt</c> section of <c>AddMtaSts(configuration)</c>; between them they set
    /// at least the organisation name and contact address.
    /// </param>
    /// <returns>The builder.</returns>
    public static IMtaStsBuilder AddTlsRpt(this IMtaStsBuilder builder, Action<TlsRptOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var options = builder.Services.AddOptionsWithSection<TlsRptOptions, TlsRptConfigurationBinder, TlsRptOptionsValidator>();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        options.PostConfigure<IServiceProvider>((o, sp) => o.InstanceId ??= TlsRptInstanceId.CreateDefault(sp.GetService<IHostEnvironment>()?.ContentRootPath));
        builder.Services.TryAddSingleton<ITlsRptStateStore>(sp => TlsRptReporter.DefaultStore(
            sp.GetRequiredService<Microsoft.Extensions.Options.IOptions<TlsRptOptions>>().Value, sp.GetRequiredService<TimeProvider>(), sp.GetService<ILogger<TlsRptReporter>>()));
        builder.Services.TryAddSingleton(sp => new TlsRptRecorder(sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<Microsoft.Extensions.Options.IOptions<TlsRptOptions>>().Value, sp.GetService<System.Diagnostics.Metrics.IMeterFactory>()));
        // The report client is the library's own, as the policy client is: its handler (no redirects, no pooling,
        // public endpoints only) must not be wrapped by the application's HttpClient defaults.
        builder.Services.TryAddSingleton(sp => new TlsRptHttpClient(
            TlsRptHttpsTransport.CreateHandler(sp.GetRequiredService<Microsoft.Extensions.Options.IOptions<TlsRptOptions>>().Value)));
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<ITlsRptTransport, TlsRptHttpsTransport>(
            sp => new TlsRptHttpsTransport(sp.GetRequiredService<TlsRptHttpClient>().Client,
                sp.GetRequiredService<Microsoft.Extensions.Options.IOptions<TlsRptOptions>>().Value)));
        builder.Services.TryAddSingleton(sp => new TlsRptReporter(
            sp.GetRequiredService<TlsRptRecorder>(),
            sp.GetRequiredService<IMtaStsTxtResolver>(),
            sp.GetServices<ITlsRptTransport>(),
            sp.GetRequiredService<Microsoft.Extensions.Options.IOptions<TlsRptOptions>>().Value,
            sp.GetRequiredService<TimeProvider>(),
            sp.GetService<ILogger<TlsRptReporter>>(),
            sp.GetRequiredService<ITlsRptStateStore>(),
            sp.GetService<System.Diagnostics.Metrics.IMeterFactory>()) { Health = sp.GetService<MtaSts.Health.MtaStsHealthStatus>() });
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, TlsRptReportingService>());
        return builder;
    }

    // One implementation of a seam replaces the default (registered with TryAdd by AddMtaSts).
    private static IMtaStsBuilder Replace<TService>(this IMtaStsBuilder builder, Func<IServiceProvider, TService> factory)
        where TService : class
    {
        builder.Services.RemoveAll<TService>();
        builder.Services.AddSingleton(factory);
        return builder;
    }


    /// <summary>
    /// Adds the hosted service that refreshes cached policies before they expire (CACHE-6, CACHE-7). With
    /// <c>AddMtaSts(configuration)</c> the options come from <c>MtaSts:Refresh</c> first, then <paramref name="configure"/>.
    /// </summary>
    /// <param name="builder">The builder.</param>
    /// <param name="configure">Changes the refresh options (after the configuration section).</param>
    /// <returns>The builder.</returns>
    public static IMtaStsBuilder AddPolicyRefresher(this IMtaStsBuilder builder, Action<MtaStsRefreshOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var options = builder.Services.AddOptionsWithSection<MtaStsRefreshOptions, MtaStsRefreshConfigurationBinder, MtaStsRefreshOptionsValidator>();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, MtaStsPolicyRefresher>());
        return builder;
    }
}

/// <summary>The HTTP client of the <c>https:</c> report transport, owned (and disposed) by the container.</summary>
internal sealed class TlsRptHttpClient(HttpMessageHandler handler) : IDisposable
{
    public HttpClient Client { get; } = new(handler, disposeHandler: true);

    public void Dispose() => Client.Dispose();
}
