using System.Security.Cryptography.X509Certificates;

namespace MtaSts.Testing;

/// <summary>What goes into a certificate issued by <see cref="TestCertificateAuthority"/> beyond its names and dates.</summary>
public sealed record TestCertificateOptions
{
    /// <summary>The plain server certificate: EKU serverAuth, issued by the root.</summary>
    public static TestCertificateOptions Default { get; } = new();

    /// <summary>Lists id-kp-serverAuth in the EKU extension.</summary>
    public bool ServerAuth { get; init; } = true;

    /// <summary>Lists id-kp-clientAuth in the EKU extension (with <see cref="ServerAuth"/> off: a client-only certificate).</summary>
    public bool ClientAuth { get; init; }

    /// <summary>Leaves the EKU extension out altogether (valid for every purpose, as OpenSSL and Go read it).</summary>
    public bool OmitExtendedKeyUsage { get; init; }

    /// <summary>An AIA caIssuers URL (where a client could download the issuer).</summary>
    public string? CaIssuersUrl { get; init; }

    /// <summary>An AIA OCSP responder URL.</summary>
    public string? OcspUrl { get; init; }

    /// <summary>A CRL distribution point URL.</summary>
    public string? CrlUrl { get; init; }

    /// <summary>The issuer, with its private key (from <see cref="TestCertificateAuthority.IssueIntermediate"/>); default: the root.</summary>
    public X509Certificate2? Issuer { get; init; }
}
