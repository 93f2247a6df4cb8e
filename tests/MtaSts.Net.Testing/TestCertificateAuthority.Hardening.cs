using System.Security.Cryptography.X509Certificates;

namespace MtaSts.Testing;

/// <summary>Certificates for the hardening tests: a wrong key usage, and URLs a validator must not fetch.</summary>
public sealed partial class TestCertificateAuthority
{
    /// <summary>id-kp-serverAuth.</summary>
    public const string ServerAuthOid = "1.3.6.1.5.5.7.3.1";

    /// <summary>id-kp-clientAuth.</summary>
    public const string ClientAuthOid = "1.3.6.1.5.5.7.3.2";

    /// <summary>A certificate for <paramref name="host"/> (SAN and CN) whose extended key usage is clientAuth only (CERT-2: not a server certificate).</summary>
    public X509Certificate2 IssueClientAuthOnly(string host) => IssueServerCertificate(host, serverAuth: false, clientAuth: true);

    /// <summary>
    /// A valid server certificate for <paramref name="host"/> whose AIA (caIssuers <c>/ca.cer</c>, OCSP <c>/ocsp</c>) and
    /// CRL distribution point (<c>/ca.crl</c>) point under <paramref name="fetchBase"/>: a validator that goes to the
    /// network shows up there.
    /// </summary>
    public X509Certificate2 IssueWithFetchUrls(string host, Uri fetchBase)
    {
        ArgumentNullException.ThrowIfNull(fetchBase);
        var at = fetchBase.ToString().TrimEnd('/');
        return Issue(host, [host], new TestCertificateOptions { CaIssuersUrl = $"{at}/ca.cer", OcspUrl = $"{at}/ocsp", CrlUrl = $"{at}/ca.crl" });
    }
}
