using DnsClient;
using Microsoft.Extensions.Logging;
using MtaSts.Caching;
using MtaSts.Discovery;
using MtaSts.Telemetry;

namespace MtaSts;

/// <summary>
/// What an enforcer is built from, by <see cref="MtaStsEnforcer.Create"/> without DI or by the container: the same
/// <see cref="MtaStsEnforcer.Compose"/> builds the pipeline from them either way.
/// </summary>
/// <param name="TimeProvider">The clock.</param>
/// <param name="LoggerFactory">Where to log.</param>
/// <param name="Telemetry">The meters.</param>
/// <param name="Dns">The one DNS client of the process's MTA-STS work (discovery, MX lookups, TLS-RPT discovery).</param>
/// <param name="TxtResolver">A resolver that replaces the DNS client for the <c>_mta-sts</c> lookup, if any.</param>
/// <param name="Store">A persistent store beside the in-memory cache, if any.</param>
/// <param name="Health">Where the store's failures are noted for health checks, if anyone asks.</param>
internal sealed record EnforcerParts(
    TimeProvider TimeProvider,
    ILoggerFactory LoggerFactory,
    MtaStsTelemetry Telemetry,
    Lazy<ILookupClient> Dns,
    IMtaStsTxtResolver? TxtResolver = null,
    IMtaStsPolicyStore? Store = null,
    Health.MtaStsHealthStatus? Health = null)
{
    /// <summary>The DNS client for <paramref name="options"/>, created at first use.</summary>
    public static Lazy<ILookupClient> DnsFor(MtaStsOptions options) =>
        new(() => DnsClientTxtResolver.CreateClient([.. options.NameServers], options.DnsTimeout, options.DnsRetries));
}
