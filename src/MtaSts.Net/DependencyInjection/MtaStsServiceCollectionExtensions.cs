using System.Net;
using System.Security.Authentication;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Polly;
using MtaSts.Caching;
using MtaSts.Discovery;
using MtaSts.Fetching;
using MtaSts.Internal;
using MtaSts.Telemetry;

namespace MtaSts.DependencyInjection;

/// <summary>Registers MTA-STS with a service collection.</summary>
public static class MtaStsServiceCollectionExtensions
{
    /// <summary>The name of the <see cref="HttpClient"/> used for policy fetches.</summary>
    public const string HttpClientName = "MtaSts.Net";

    /// <summary>The configuration section read by <see cref="AddMtaSts(IServiceCollection, IConfiguration)"/>.</summary>
    public const string ConfigurationSection = "MtaSts";

    /// <summary>
    /// Registers <see cref="IMtaStsEnforcer"/> and its parts (each with <c>TryAdd</c>, so any can be replaced): the DNS
    /// client, the policy <see cref="HttpClient"/> from <see cref="IHttpClientFactory"/> with its Polly pipeline, the
    /// in-memory store, telemetry. Options are validated at start-up.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configure">Configures the options.</param>
    /// <returns>A builder to choose the store, the resolver and more.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="services"/> is null.</exception>
    public static IMtaStsBuilder AddMtaSts(this IServiceCollection services, Action<MtaStsOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var options = services.AddOptions<MtaStsOptions>();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        options.ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<MtaStsOptions>, MtaStsOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<MtaStsTelemetry>(sp => new MtaStsTelemetry(sp.GetService<System.Diagnostics.Metrics.IMeterFactory>()));
        services.TryAddSingleton<DnsClient.ILookupClient>(sp =>
        {
            var o = sp.GetRequiredService<IOptions<MtaStsOptions>>().Value;
            return DnsClientTxtResolver.CreateClient([.. o.NameServers], o.DnsTimeout, o.DnsRetries);
        });
        services.TryAddSingleton<IMtaStsTxtResolver>(sp =>
            sp.GetRequiredService<IOptions<MtaStsOptions>>().Value.TxtResolver ?? new DnsClientTxtResolver(sp.GetRequiredService<DnsClient.ILookupClient>()));
        services.TryAddSingleton<IMtaStsPolicyStore>(sp => new MemoryPolicyStore(sp.GetRequiredService<IOptions<MtaStsOptions>>().Value.MaxCacheEntries));
        services.TryAddSingleton(sp =>
        {
            var o = sp.GetRequiredService<IOptions<MtaStsOptions>>().Value;
            return new PolicyHostCertificateCheck(o.PolicyHostTrustedRoots, sp.GetRequiredService<TimeProvider>());
        });
        AddPolicyHttpClient(services);
        services.TryAddSingleton(sp =>
        {
            var o = sp.GetRequiredService<IOptions<MtaStsOptions>>().Value;
            var time = sp.GetRequiredService<TimeProvider>();
            var loggers = sp.GetService<ILoggerFactory>() ?? NullLoggerFactory.Instance;
            List<IDisposable> owned = [];

            // The registered store stays as it is; the enforcer's lookups go
            // through a bounded, circuit-broken wrapper that writes in the background, disposed (drained) with it.
            var store = ResilientPolicyStore.Around(sp.GetRequiredService<IMtaStsPolicyStore>(), o, time, loggers, owned);
            var parts = new EnforcerParts(
                time,
                loggers,
                sp.GetRequiredService<IMtaStsTxtResolver>(),
                sp.GetRequiredService<IHttpClientFactory>().CreateClient(HttpClientName),
                sp.GetRequiredService<PolicyHostCertificateCheck>(),
                store,
                sp.GetRequiredService<MtaStsTelemetry>(),
                owned);
            try
            {
                return new MtaStsEnforcer(o, parts);
            }
            catch
            {
                owned.ForEach(d => d.Dispose()); // the wrapper's writer task, when options are invalid
                throw;
            }
        });
        services.TryAddSingleton<IMtaStsEnforcer>(sp => sp.GetRequiredService<MtaStsEnforcer>());
        return new MtaStsBuilder(services);
    }

    /// <summary>As <see cref="AddMtaSts(IServiceCollection, Action{MtaStsOptions}?)"/>, with options read from the <c>"MtaSts"</c> section of <paramref name="configuration"/>.</summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configuration">The application configuration (its <c>MtaSts</c> section is read).</param>
    /// <returns>A builder.</returns>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    public static IMtaStsBuilder AddMtaSts(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var section = configuration.GetSection(ConfigurationSection);
        return services.AddMtaSts(o => MtaStsConfigurationBinder.Bind(section, o));
    }

    private static void AddPolicyHttpClient(IServiceCollection services)
    {
#pragma warning disable EXTEXP0001 // RemoveAllResilienceHandlers: an app-wide AddStandardResilienceHandler must not stack on this client.
        services.AddHttpClient(HttpClientName)
            .ConfigureHttpClient(c => c.Timeout = Timeout.InfiniteTimeSpan) // the fetcher owns the RFC total timeout
            .ConfigurePrimaryHttpMessageHandler(sp => PolicyHttpHandler.Create(
                FetchSettings.From(sp.GetRequiredService<IOptions<MtaStsOptions>>().Value), sp.GetRequiredService<PolicyHostCertificateCheck>()))
            .RemoveAllResilienceHandlers()
            .AddResilienceHandler(HttpClientName, static (builder, context) =>
            {
                var o = context.ServiceProvider.GetRequiredService<IOptions<MtaStsOptions>>().Value;
                if (o.FetchRetries > 0)
                {
                    // Bounded retries of transient failures, inside the fetcher's total timeout; no circuit breaker, which
                    // would be shared across every recipient domain.
                    builder.AddRetry(new HttpRetryStrategyOptions
                    {
                        MaxRetryAttempts = o.FetchRetries,
                        Delay = TimeSpan.FromMilliseconds(500),
                        BackoffType = DelayBackoffType.Exponential,
                        UseJitter = true,
                        ShouldHandle = args => ValueTask.FromResult(IsTransient(args.Outcome)),
                    });
                }
            });
#pragma warning restore EXTEXP0001
    }

    // Transient: a transport error that is not a certificate failure (never retried: FETCH-2), 408, 429 or 5xx.
    private static bool IsTransient(Outcome<HttpResponseMessage> outcome) => outcome switch
    {
        { Exception: HttpRequestException { InnerException: AuthenticationException } } => false,
        { Exception: HttpRequestException } => true,
        { Result: { } response } => response.StatusCode is HttpStatusCode.RequestTimeout or HttpStatusCode.TooManyRequests || (int)response.StatusCode >= 500,
        _ => false,
    };

    private sealed record MtaStsBuilder(IServiceCollection Services) : IMtaStsBuilder;
}
