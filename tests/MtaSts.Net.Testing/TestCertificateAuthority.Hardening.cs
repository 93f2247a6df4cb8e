using System.Security.Cryptography;
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
    public X509Certificate2 IssueClientAuthOnly(string host) => IssueCustom(host, [ClientAuthOid], null);

    /// <summary>
    /// A valid server certificate for <paramref name="host"/> whose AIA (caIssuers <c>/ca.cer</c>, OCSP <c>/ocsp</c>) and
    /// CRL distribution point (<c>/ca.crl</c>) point under <paramref name="fetchBase"/>: a validator that goes to the
    /// network shows up there.
    /// </summary>
    public X509Certificate2 IssueWithFetchUrls(string host, Uri fetchBase)
    {
        ArgumentNullException.ThrowIfNull(fetchBase);
        var at = fetchBase.ToString().TrimEnd('/');
        return IssueCustom(host, [ServerAuthOid], request =>
        {
            request.CertificateExtensions.Add(new X509AuthorityInformationAccessExtension([$"{at}/ocsp"], [$"{at}/ca.cer"]));
            request.CertificateExtensions.Add(CertificateRevocationListBuilder.BuildCrlDistributionPointExtension([$"{at}/ca.crl"]));
        });
    }

    private X509Certificate2 IssueCustom(string host, string[] ekuOids, Action<CertificateRequest>? extend)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={host}", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, false));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        var usages = new OidCollection();
        foreach (var oid in ekuOids)
        {
            usages.Add(new Oid(oid));
        }

        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(usages, false));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(Root, true, false));
        var san = new SubjectAlternativeNameBuilder();
        san.AddDnsName(host);
        request.CertificateExtensions.Add(san.Build());
        extend?.Invoke(request);
        var serial = BitConverter.GetBytes(Interlocked.Increment(ref _serial));
        using var issued = request.Create(Root, DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(90), serial);
        using var withKey = issued.CopyWithPrivateKey(key);
        return X509CertificateLoader.LoadPkcs12(withKey.Export(X509ContentType.Pkcs12), null);
    }
}
