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
    public X509Certificate2 Issue(string commonName, IEnumerable<string> dnsNames, DateTimeOffset? notBefore = null, DateTimeOffset? notAfter = null) =>
        Issue(commonName, dnsNames, TestCertificateOptions.Default, notBefore, notAfter);

    /// <summary>Issues a certificate with the given SAN dNSNames and extras (EKU, AIA and CDP URLs, an intermediate issuer).</summary>
    public X509Certificate2 Issue(string commonName, IEnumerable<string> dnsNames, TestCertificateOptions options, DateTimeOffset? notBefore = null,
        DateTimeOffset? notAfter = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={commonName}", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, false));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        if (!options.OmitExtendedKeyUsage)
        {
            var usages = new OidCollection();
            if (options.ServerAuth)
            {
                usages.Add(new Oid(ServerAuthOid));
            }

            if (options.ClientAuth)
            {
                usages.Add(new Oid(ClientAuthOid));
            }

            request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(usages, false));
        }

        var issuer = options.Issuer ?? Root;
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(issuer, true, false));
        AddUrls(request, options);
        var names = dnsNames.ToList();
        if (names.Count > 0)
        {
            var san = new SubjectAlternativeNameBuilder();
            names.ForEach(san.AddDnsName);
            request.CertificateExtensions.Add(san.Build());
        }

        var from = notBefore ?? DateTimeOffset.UtcNow.AddDays(-1);
        var to = notAfter ?? DateTimeOffset.UtcNow.AddDays(90);
        using var issued = request.Create(issuer, from, to, NextSerial());
        using var withKey = issued.CopyWithPrivateKey(key);
        // Round-trip through PKCS#12 so the key is usable by SslStream on every platform.
        return X509CertificateLoader.LoadPkcs12(withKey.Export(X509ContentType.Pkcs12), null);
    }

    /// <summary>
    /// A certificate for <paramref name="host"/> with the extended key usages asked for: <c>serverAuth: false,
    /// clientAuth: true</c> is a client-only certificate; <c>extendedKeyUsage: false</c> leaves the extension out.
    /// </summary>
    public X509Certificate2 IssueServerCertificate(string host, bool serverAuth = true, bool clientAuth = false, bool extendedKeyUsage = true) =>
        Issue(host, [host], new TestCertificateOptions { ServerAuth = serverAuth, ClientAuth = clientAuth, OmitExtendedKeyUsage = !extendedKeyUsage });

    /// <summary>An intermediate CA certificate (with its key) under the root, to pass as <see cref="TestCertificateOptions.Issuer"/>.</summary>
    public X509Certificate2 IssueIntermediate(string name, string? crlUrl = null)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, true, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(Root, true, false));
        AddUrls(request, new TestCertificateOptions { CrlUrl = crlUrl });
        using var issued = request.Create(Root, DateTimeOffset.UtcNow.AddDays(-2), DateTimeOffset.UtcNow.AddYears(1), NextSerial());
        using var withKey = issued.CopyWithPrivateKey(key);
        return X509CertificateLoader.LoadPkcs12(withKey.Export(X509ContentType.Pkcs12), null);
    }

    /// <summary>A valid certificate for <paramref name="host"/>.</summary>
    public X509Certificate2 IssueFor(string host) => Issue(host, [host]);

    /// <summary>A certificate for <paramref name="host"/> that expired yesterday.</summary>
    public X509Certificate2 IssueExpired(string host) => Issue(host, [host], DateTimeOffset.UtcNow.AddDays(-60), DateTimeOffset.UtcNow.AddDays(-1));

    /// <summary>A certificate with the host only in the CN and no SAN (accepted by the Linux platform check).</summary>
    public X509Certificate2 IssueCommonNameOnly(string host) => Issue(host, []);

    /// <summary>A DER CRL signed by the root that revokes <paramref name="revoked"/> (none: a CRL that revokes nothing).</summary>
    public byte[] CreateCrl(params X509Certificate2[] revoked)
    {
        var builder = new CertificateRevocationListBuilder();
        foreach (var certificate in revoked)
        {
            builder.AddEntry(certificate, DateTimeOffset.UtcNow.AddHours(-1), X509RevocationReason.KeyCompromise);
        }

        var now = DateTimeOffset.UtcNow;
        return builder.Build(Root, Interlocked.Increment(ref _serial), now.AddDays(7), HashAlgorithmName.SHA256, thisUpdate: now.AddMinutes(-5));
    }

    private static void AddUrls(CertificateRequest request, TestCertificateOptions options)
    {
        if (options.CaIssuersUrl is not null || options.OcspUrl is not null)
        {
            request.CertificateExtensions.Add(new X509AuthorityInformationAccessExtension(
                options.OcspUrl is null ? null : [options.OcspUrl], options.CaIssuersUrl is null ? null : [options.CaIssuersUrl]));
        }

        if (options.CrlUrl is not null)
        {
            request.CertificateExtensions.Add(CertificateRevocationListBuilder.BuildCrlDistributionPointExtension([options.CrlUrl]));
        }
    }

    private byte[] NextSerial() => BitConverter.GetBytes(Interlocked.Increment(ref _serial));

    public void Dispose()
    {
        Root.Dispose();
        _key.Dispose();
    }
}
