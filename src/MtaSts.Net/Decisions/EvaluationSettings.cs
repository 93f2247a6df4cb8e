using System.Security.Cryptography.X509Certificates;
using MtaSts.Telemetry;

namespace MtaSts.Decisions;

/// <summary>What a <see cref="MtaStsPolicyState"/> needs from the enforcer to evaluate MX hosts and TLS sessions.</summary>
internal sealed record EvaluationSettings(TimeProvider TimeProvider, X509Certificate2Collection? MxTrustedRoots, bool RequireValidCertificateWithoutPolicy,
    MtaStsTelemetry? Telemetry = null)
{
    public static EvaluationSettings Default { get; } = new(TimeProvider.System, null, false);
}
