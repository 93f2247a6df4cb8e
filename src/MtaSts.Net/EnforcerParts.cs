using Microsoft.Extensions.Logging;
using MtaSts.Caching;
using MtaSts.Discovery;
using MtaSts.Fetching;
using MtaSts.Telemetry;

namespace MtaSts;

/// <summary>What an enforcer is built from: by <see cref="MtaStsEnforcer.Create"/> without DI, or by the container.</summary>
internal sealed record EnforcerParts(
    TimeProvider TimeProvider,
    ILoggerFactory LoggerFactory,
    IMtaStsTxtResolver TxtResolver,
    HttpClient HttpClient,
    PolicyHostCertificateCheck CertificateCheck,
    IMtaStsPolicyStore Store,
    MtaStsTelemetry Telemetry,
    List<IDisposable> Owned);
