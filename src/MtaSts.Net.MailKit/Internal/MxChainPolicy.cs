using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace MtaSts.MailKit.Internal;

/// <summary>
/// The chain policy of the MX handshake's own chain build (the one <c>SslStream</c> runs before the certificate callback).
/// By default it never goes to the network: no intermediate downloads from the certificate's AIA URLs, no CRL or OCSP
/// fetches. A hostile MX would otherwise make the sender issue GETs to URLs of its choosing and stall each handshake.
/// Revocation (CERT-11, a MAY) only on request, with each fetch bounded.
/// </summary>
internal static class MxChainPolicy
{
    /// <summary>id-kp-serverAuth (RFC 5280 §4.2.1.12).</summary>
    public const string ServerAuthOid = "1.3.6.1.5.5.7.3.1";

    private static readonly TimeSpan MaxUrlRetrievalTimeout = TimeSpan.FromSeconds(15);

    public static X509ChainPolicy Create(bool checkRevocation, TimeSpan timeout)
    {
        var policy = new X509ChainPolicy
        {
            DisableCertificateDownloads = true,
            RevocationMode = checkRevocation ? X509RevocationMode.Online : X509RevocationMode.NoCheck,
            RevocationFlag = X509RevocationFlag.ExcludeRoot,
            UrlRetrievalTimeout = timeout > TimeSpan.Zero && timeout < MaxUrlRetrievalTimeout ? timeout : MaxUrlRetrievalTimeout,
        };
        policy.ApplicationPolicy.Add(new Oid(ServerAuthOid));
        return policy;
    }
}
