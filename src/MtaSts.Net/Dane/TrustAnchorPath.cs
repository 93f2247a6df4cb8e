using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace MtaSts.Dane;

/// <summary>
/// Validates the chain from the server's leaf up to a certificate signed by a trust-anchor <em>key</em>, for DANE-TA(2)
/// when the platform chain engine cannot be used: the anchor certificate is absent (a <c>2 1 0</c> record, RFC 7671
/// §5.2.3: "check to see whether or not the topmost certificate in the chain is signed by the provided public key and
/// has not expired, and in that case consider the server authenticated, provided the rest of the chain passes
/// validation, including leaf certificate name checks"), or it is an intermediate, which .NET on Linux does not accept
/// as a custom root. Pure; the caller checks the names.
/// <code>
/// walk     leaf → issuer → …, each issuer a presented certificate whose subject is the child's issuer name and whose key
///          verifies the child's signature, so the order the server sent them in does not matter and a certificate that
///          only carries the right issuer name is never taken; stops at the first certificate the anchor key signed
/// each     valid at now; no critical extension outside basicConstraints, keyUsage, extKeyUsage, subjectAltName,
///          certificatePolicies; no nameConstraints (not evaluated here, so refused)
/// issuers  basicConstraints cA, keyCertSign when keyUsage is present, pathLenConstraint respected
/// limits   at most <see cref="MaxDepth"/> certificates and <see cref="MaxCandidates"/> distinct presented ones
/// </code>
/// </summary>
internal static class TrustAnchorPath
{
    /// <summary>The longest path walked, leaf included.</summary>
    public const int MaxDepth = 8;

    /// <summary>How many distinct presented certificates are considered as issuers.</summary>
    public const int MaxCandidates = 16;

    private static readonly HashSet<string> UnderstoodCritical =
    [
        "2.5.29.19", // basicConstraints
        "2.5.29.15", // keyUsage
        "2.5.29.37", // extKeyUsage
        "2.5.29.17", // subjectAltName
        "2.5.29.32", // certificatePolicies
    ];

    private const string NameConstraints = "2.5.29.30";

    /// <summary>
    /// The number of CA certificates between <paramref name="leaf"/> and the anchor when the path validates at
    /// <paramref name="now"/>; <see langword="null"/> when it does not.
    /// </summary>
    /// <param name="leaf">The server's certificate.</param>
    /// <param name="anchorKey">The trust anchor's SubjectPublicKeyInfo (DER).</param>
    /// <param name="presented">The certificates the server sent; order and duplicates do not matter.</param>
    /// <param name="now">The verification time.</param>
    public static int? Find(X509Certificate2 leaf, ReadOnlySpan<byte> anchorKey, IReadOnlyList<X509Certificate2> presented, DateTimeOffset now)
    {
        try
        {
            return Walk(leaf, anchorKey, presented, now);
        }
        catch (CryptographicException)
        {
            // A certificate that loaded but whose fields the platform cannot read (a malformed date or key): no path.
            return null;
        }
    }

    private static int? Walk(X509Certificate2 leaf, ReadOnlySpan<byte> anchorKey, IReadOnlyList<X509Certificate2> presented, DateTimeOffset now)
    {
        if (leaf.PublicKey.ExportSubjectPublicKeyInfo().AsSpan().SequenceEqual(anchorKey))
        {
            return null; // DANE-TA names an issuer, not the end-entity (a self-signed leaf is DANE-EE's business).
        }

        var candidates = Distinct(presented, leaf);
        List<X509Certificate2> path = [leaf];
        for (var depth = 0; depth < MaxDepth; depth++)
        {
            var current = path[depth];
            if (!Acceptable(current, depth, now))
            {
                return null;
            }

            if (CertificateSignature.VerifiesUnder(current, anchorKey))
            {
                return depth;
            }

            var issuer = candidates.Find(c => !path.Contains(c) && IssuedBy(current, c));
            if (issuer is null)
            {
                return null;
            }

            path.Add(issuer);
        }

        return null;
    }

    private static bool IssuedBy(X509Certificate2 child, X509Certificate2 issuer) =>
        child.IssuerName.RawData.AsSpan().SequenceEqual(issuer.SubjectName.RawData)
        && CertificateSignature.VerifiesUnder(child, issuer.PublicKey.ExportSubjectPublicKeyInfo());

    private static bool Acceptable(X509Certificate2 certificate, int depth, DateTimeOffset now)
    {
        var at = now.UtcDateTime;
        if (certificate.NotBefore.ToUniversalTime() > at || certificate.NotAfter.ToUniversalTime() < at)
        {
            return false;
        }

        if (certificate.Extensions.Any(e => e.Oid?.Value == NameConstraints || (e.Critical && !UnderstoodCritical.Contains(e.Oid?.Value ?? ""))))
        {
            return false;
        }

        return depth == 0 || IsIssuer(certificate, intermediatesBelow: depth - 1);
    }

    /// <summary>Whether <paramref name="certificate"/> may issue the path below it (RFC 5280 §4.2.1.9, §4.2.1.3).</summary>
    public static bool IsIssuer(X509Certificate2 certificate, int intermediatesBelow)
    {
        var constraints = certificate.Extensions.OfType<X509BasicConstraintsExtension>().FirstOrDefault();
        var usage = certificate.Extensions.OfType<X509KeyUsageExtension>().FirstOrDefault();
        return constraints is { CertificateAuthority: true }
            && (!constraints.HasPathLengthConstraint || constraints.PathLengthConstraint >= intermediatesBelow)
            && (usage is null || usage.KeyUsages.HasFlag(X509KeyUsageFlags.KeyCertSign));
    }

    private static List<X509Certificate2> Distinct(IReadOnlyList<X509Certificate2> presented, X509Certificate2 leaf)
    {
        List<X509Certificate2> distinct = [];
        foreach (var certificate in presented)
        {
            if (distinct.Count == MaxCandidates)
            {
                break;
            }

            if (!certificate.RawDataMemory.Span.SequenceEqual(leaf.RawDataMemory.Span)
                && !distinct.Any(d => d.RawDataMemory.Span.SequenceEqual(certificate.RawDataMemory.Span)))
            {
                distinct.Add(certificate);
            }
        }

        return distinct;
    }
}
