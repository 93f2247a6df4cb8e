using System.Security.Cryptography.X509Certificates;

namespace MtaSts.Tool.Network;

/// <summary>
/// What fetching a policy as an auditor gave: whether the host resolved, the certificate it presented (captured even
/// when a sender would reject it, so the policy can still be read), and the body or why there is none.
/// </summary>
internal sealed record PolicyFetchOutcome(bool Resolved, X509Certificate2? Certificate, IReadOnlyList<X509Certificate2> Presented, string? Body, string? Failure);
