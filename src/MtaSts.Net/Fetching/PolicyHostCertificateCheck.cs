using System.Collections.Concurrent;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using MtaSts.Certificates;

namespace MtaSts.Fetching;

/// <summary>
/// The TLS certificate callback of the policy-host HTTP handler (FETCH-2, FETCH-3): PKIX and SAN dNSName checks for the
/// SNI name, never the CN. Remembers why a host failed, so that the fetch that saw the handshake fail can say
/// <c>sts-webpki-invalid</c> with the reason instead of a bare transport error.
/// </summary>
internal sealed class PolicyHostCertificateCheck(X509Certificate2Collection? trustedRoots, TimeProvider timeProvider)
{
    private readonly ConcurrentDictionary<string, MtaStsFailure> _failures = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>
    /// The handshake callback. <paramref name="errors"/> is ignored on purpose: the chain is rebuilt by
    /// <see cref="CertificateValidator"/> (serverAuth EKU, our roots, offline unless <paramref name="checkRevocation"/>).
    /// </summary>
    public bool Validate(object sender, X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors, bool checkRevocation = false)
    {
        var host = (sender as SslStream)?.TargetHostName ?? string.Empty;
        var failure = CertificateValidator.Validate(host, certificate as X509Certificate2, chain, trustedRoots, timeProvider.GetUtcNow(), checkRevocation);
        if (failure is null)
        {
            return true;
        }

        _failures[host] = failure;
        return false;
    }

    public void Forget(string host) => _failures.TryRemove(host, out _);

    public bool TryTake(string host, out MtaStsFailure? failure) => _failures.TryRemove(host, out failure);
}
