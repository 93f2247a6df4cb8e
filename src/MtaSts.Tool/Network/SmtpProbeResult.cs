using System.Security.Cryptography.X509Certificates;

namespace MtaSts.Tool.Network;

/// <summary>What an SMTP probe saw: how far it got, why it stopped, and the certificate when TLS was negotiated.</summary>
internal sealed record SmtpProbeResult(SmtpProbeStatus Status, string Detail, X509Certificate2? Certificate, IReadOnlyList<X509Certificate2> Presented);
