using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace MtaSts.Tests.Dane;

/// <summary>
/// A CA of a chosen key kind (RSA PKCS#1, RSA-PSS, ECDSA P-256/P-384) for the DANE-TA key tests: a root, or an
/// intermediate under a parent, that issues leaves and intermediates. Built with CertificateRequest at test time.
/// </summary>
internal sealed class KeyedAuthority : IDisposable
{
    private static long _serial = 5000;
    private readonly AsymmetricAlgorithm _key;
    private readonly X509SignatureGenerator _signer;

    public KeyedAuthority(string name, string kind, KeyedAuthority? parent = null, int? pathLength = null, bool ca = true,
        DateTimeOffset? notAfter = null)
    {
        (_key, _signer, Hash) = kind switch
        {
            "rsa" => Rsa(RSASignaturePadding.Pkcs1, HashAlgorithmName.SHA256),
            "rsa-sha512" => Rsa(RSASignaturePadding.Pkcs1, HashAlgorithmName.SHA512),
            "rsa-pss" => Rsa(RSASignaturePadding.Pss, HashAlgorithmName.SHA256),
            "rsa-pss-sha384" => Rsa(RSASignaturePadding.Pss, HashAlgorithmName.SHA384),
            "p384" => Ec(ECCurve.NamedCurves.nistP384, HashAlgorithmName.SHA384),
            _ => Ec(ECCurve.NamedCurves.nistP256, HashAlgorithmName.SHA256),
        };
        Name = new X500DistinguishedName($"CN={name}");
        var request = new CertificateRequest(Name, _signer.PublicKey, (parent ?? this).Hash);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(ca, pathLength is not null, pathLength ?? 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.DigitalSignature, true));
        var now = DateTimeOffset.UtcNow;
        Certificate = request.Create(parent?.Name ?? Name, parent?._signer ?? _signer, now.AddDays(-10), notAfter ?? now.AddYears(2), NextSerial());
    }

    public X500DistinguishedName Name { get; }

    public HashAlgorithmName Hash { get; }

    /// <summary>This CA's certificate (without its key; the tests never present a key).</summary>
    public X509Certificate2 Certificate { get; }

    /// <summary>The CA's SubjectPublicKeyInfo: the data of a <c>2 1 0</c> record.</summary>
    public byte[] Spki => Certificate.PublicKey.ExportSubjectPublicKeyInfo();

    /// <summary>A server certificate for <paramref name="host"/> signed by this CA.</summary>
    public X509Certificate2 Issue(string host, DateTimeOffset? notBefore = null, DateTimeOffset? notAfter = null)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={host}", key, Hash);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, false));
        var san = new SubjectAlternativeNameBuilder();
        san.AddDnsName(host);
        request.CertificateExtensions.Add(san.Build());
        var now = DateTimeOffset.UtcNow;
        return request.Create(Name, _signer, notBefore ?? now.AddDays(-1), notAfter ?? now.AddDays(90), NextSerial());
    }

    public void Dispose()
    {
        Certificate.Dispose();
        _key.Dispose();
    }

    private static byte[] NextSerial() => BitConverter.GetBytes(Interlocked.Increment(ref _serial));

    private static (AsymmetricAlgorithm, X509SignatureGenerator, HashAlgorithmName) Rsa(RSASignaturePadding padding, HashAlgorithmName hash)
    {
        var key = RSA.Create(2048);
        return (key, X509SignatureGenerator.CreateForRSA(key, padding), hash);
    }

    private static (AsymmetricAlgorithm, X509SignatureGenerator, HashAlgorithmName) Ec(ECCurve curve, HashAlgorithmName hash)
    {
        var key = ECDsa.Create(curve);
        return (key, X509SignatureGenerator.CreateForECDsa(key), hash);
    }
}
