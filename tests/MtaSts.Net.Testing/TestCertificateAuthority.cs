using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace MtaSts.Testing;

/// <summary>A certificate authority generated at test time: a root, and leaf certificates of every kind the tests need.</summary>
public sealed partial class TestCertificateAuthority : IDisposable
{
    private readonly ECDsa _key;
    private long _serial = 1000;

    public TestCertificateAuthority(string name = "MtaSts.Net Test Root", DateTimeOffset? now = null)
    {
        var at = now ?? DateTimeOffset.UtcNow;
        _key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={name}", _key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        Root = request.CreateSelfSigned(at.AddYears(-1), at.AddYears(5));
    }

    /// <summary>The self-signed root, with its private key.</summary>
    public X509Certificate2 Root { get; }

    /// <summary>The root as a trust store.</summary>
    public X509Certificate2Collection TrustStore => [X509CertificateLoader.LoadCertificate(Root.RawData)];

    /// <summary>Issues a server certificate with the given SAN dNSNames (none: a CN-only certificate).</summary>
    public X509Certificate2 Issue(string commonName, IEnumerable<string> dnsNames, DateTimeOffset? notBefore = null, DateTimeOffset? notAfter = null)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={commonName}", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, false));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(Root, true, false));
        var names = dnsNames.ToList();
        if (names.Count > 0)
        {
            var san = new SubjectAlternativeNameBuilder();
            names.ForEach(san.AddDnsName);
            request.CertificateExtensions.Add(san.Build());
        }

        var from = notBefore ?? DateTimeOffset.UtcNow.AddDays(-1);
        var to = notAfter ?? DateTimeOffset.UtcNow.AddDays(90);
        var serial = BitConverter.GetBytes(Interlocked.Increment(ref _serial));
        using var issued = request.Create(Root, from, to, serial);
        using var withKey = issued.CopyWithPrivateKey(key);
        // Round-trip through PKCS#12 so the key is usable by SslStream on every platform.
        return X509CertificateLoader.LoadPkcs12(withKey.Export(X509ContentType.Pkcs12), null);
    }

    /// <summary>A valid certificate for <paramref name="host"/>.</summary>
    public X509Certificate2 IssueFor(string host) => Issue(host, [host]);

    /// <summary>A certificate for <paramref name="host"/> that expired yesterday.</summary>
    public X509Certificate2 IssueExpired(string host) => Issue(host, [host], DateTimeOffset.UtcNow.AddDays(-60), DateTimeOffset.UtcNow.AddDays(-1));

    /// <summary>A certificate with the host only in the CN and no SAN (accepted by the Linux platform check).</summary>
    public X509Certificate2 IssueCommonNameOnly(string host) => Issue(host, []);

    public void Dispose()
    {
        Root.Dispose();
        _key.Dispose();
    }
}
