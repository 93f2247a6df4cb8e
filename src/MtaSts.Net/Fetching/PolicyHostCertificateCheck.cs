using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using MtaSts.Certificates;

namespace MtaSts.Fetching;

/// <summary>
/// The TLS certificate callback of the policy-host HTTP handler (FETCH-2, FETCH-3): PKIX and SAN dNSName checks for the
/// SNI name, never the CN. A refused certificate throws <see cref="PolicyHostCertificateException"/> out of the
/// handshake, so the reason travels with the failing request (as the inner exception of its
/// <see cref="HttpRequestException"/>) and the fetch can say <c>sts-webpki-invalid</c> with it; nothing is kept
/// between requests, so concurrent fetches cannot read or clear each other's results.
/// </summary>
internal sealed class PolicyHostCertificateCheck(X509Certificate2Collection? trustedRoots, TimeProvider timeProvider)
{
    /// <summary>
    /// The handshake callback. <paramref name="errors"/> is ignored on purpose: the chain is rebuilt by
    /// <see cref="CertificateValidator"/> (serverAuth EKU, our roots, offline unless <paramref name="checkRevocation"/>).
    /// </summary>
    /// <exception cref="PolicyHostCertificateException">The certificate is not valid for the host.</exception>
    public bool Validate(object sender, X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors, bool checkRevocation = false)
    {
        var host = (sender as SslStream)?.TargetHostName ?? string.Empty;
        var failure = CertificateValidator.Validate(host, certificate as X509Certificate2, chain, trustedRoots, timeProvider.GetUtcNow(), checkRevocation);
        return failure is null ? true : throw new PolicyHostCertificateException(host, failure);
    }

    /// <summary>The certificate failure carried by <paramref name="exception"/> or one of its inner exceptions.</summary>
    public static bool TryFind(Exception exception, out PolicyHostCertificateException? found)
    {
        for (var ex = exception; ex is not null; ex = ex.InnerException)
        {
            if (ex is PolicyHostCertificateException certificate)
            {
                found = certificate;
                return true;
            }
        }

        found = null;
        return false;
    }
}

/// <summary>Why the policy host's certificate was refused; raised inside the handshake, caught by the fetcher.</summary>
internal sealed class PolicyHostCertificateException(string host, MtaStsFailure failure)
    : System.Security.Authentication.AuthenticationException($"{host}: {failure.Detail}")
{
    public string Host { get; } = host;

    public MtaStsFailure Failure { get; } = failure;
}
