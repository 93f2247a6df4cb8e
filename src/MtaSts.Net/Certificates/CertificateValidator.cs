using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using MtaSts.Internal;

namespace MtaSts.Certificates;

/// <summary>
/// PKIX and RFC 6125 DNS-ID checks for MX and policy-host certificates (CERT-2..10, CERT-13, FETCH-2, FETCH-3).
/// Pure: the time and trust anchors are passed in. The chain is rebuilt for the serverAuth purpose (as OpenSSL and Go
/// do), with AIA downloads disabled and revocation checking off, so by default validation never goes to the network:
/// revocation is a MAY (CERT-11, FETCH-4), and a peer's certificate must not make us fetch URLs of its choosing.
/// </summary>
internal static class CertificateValidator
{
    private const string SubjectAltNameOid = "2.5.29.17";

    /// <summary>id-kp-serverAuth (RFC 5280 §4.2.1.12). A certificate without an EKU extension is valid for any purpose.</summary>
    private const string ServerAuthOid = "1.3.6.1.5.5.7.3.1";

    /// <summary>The bound on each CRL / OCSP download when revocation checking is switched on.</summary>
    internal static readonly TimeSpan RevocationUrlTimeout = TimeSpan.FromSeconds(5);

    /// <summary>
    /// A chain policy that never touches the network: no AIA download of missing intermediates, no revocation check.
    /// The TLS handshakes' own chain builds use it (their result is not what decides; <see cref="Validate"/> is).
    /// </summary>
    public static X509ChainPolicy OfflinePolicy() => new()
    {
        DisableCertificateDownloads = true,
        RevocationMode = X509RevocationMode.NoCheck,
    };

    /// <summary>Checks <paramref name="certificate"/> for <paramref name="host"/>; <see langword="null"/> when it passes.</summary>
    /// <param name="host">The reference identity: the MX host or the policy host (CERT-4).</param>
    /// <param name="certificate">The peer's leaf certificate.</param>
    /// <param name="presentedChain">The handshake's chain; what the peer sent is used as untrusted intermediates.</param>
    /// <param name="trustedRoots">Custom trust anchors; <see langword="null"/> for the machine store.</param>
    /// <param name="now">The verification time.</param>
    /// <param name="checkRevocation">Ask the CRL / OCSP URLs of the chain, each bounded by <see cref="RevocationUrlTimeout"/>;
    /// a revoked certificate, or one whose status cannot be learnt, then fails. Intermediates are still never downloaded.</param>
    public static MtaStsFailure? Validate(string host, X509Certificate2? certificate, X509Chain? presentedChain,
        X509Certificate2Collection? trustedRoots, DateTimeOffset now, bool checkRevocation = false)
    {
        if (certificate is null)
        {
            return new MtaStsFailure(MtaStsFailureKind.CertificateNotTrusted, "the server presented no certificate", "no-certificate");
        }

        // CERT-2: unexpired.
        if (now > new DateTimeOffset(certificate.NotAfter))
        {
            return new MtaStsFailure(MtaStsFailureKind.CertificateExpired,
                $"the certificate for {certificate.Subject} expired at {certificate.NotAfter.ToUniversalTime():u}");
        }

        if (now < new DateTimeOffset(certificate.NotBefore))
        {
            return new MtaStsFailure(MtaStsFailureKind.ValidationFailure,
                $"the certificate for {certificate.Subject} is not valid before {certificate.NotBefore.ToUniversalTime():u}", "certificate-not-yet-valid");
        }

        // CERT-2: chains to a trusted root.
        var chainFailure = BuildChain(certificate, presentedChain, trustedRoots, now, checkRevocation);
        if (chainFailure is not null)
        {
            return chainFailure;
        }

        // CERT-3: a SAN dNSName matches the host; never the CN.
        if (!MatchesDnsName(certificate, host))
        {
            return new MtaStsFailure(MtaStsFailureKind.CertificateHostMismatch,
                $"no subjectAltName dNSName of the certificate matches {host} (names: {string.Join(", ", DnsNames(certificate))})");
        }

        return null;
    }

    /// <summary>Whether any SAN dNSName of <paramref name="certificate"/> matches <paramref name="host"/> (CERT-13).</summary>
    public static bool MatchesDnsName(X509Certificate2 certificate, string host)
    {
        var reference = DomainName.ForMatching(host);
        if (reference.IsEmpty)
        {
            return false;
        }

        foreach (var name in DnsNames(certificate))
        {
            if (MatchesName(name, reference))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// RFC 6125 §6.4 for one presented DNS-ID: case-insensitive (CERT-8); a wildcard only as the whole left-most label,
    /// matching exactly one label (CERT-5), never partial (CERT-6, CERT-7), never over a single-label suffix; a
    /// presented name ending in a dot is malformed and never matches (CERT-10).
    /// </summary>
    public static bool MatchesName(string presented, ReadOnlySpan<char> reference)
    {
        if (presented.Length == 0 || presented[^1] == '.' || !DomainName.IsAscii(presented) || reference.Contains('*'))
        {
            return false;
        }

        if (presented.StartsWith("*.", StringComparison.Ordinal))
        {
            var suffix = presented.AsSpan(1); // ".example.com"
            if (suffix[1..].Contains('*') || !suffix[1..].Contains('.'))
            {
                return false;
            }

            var dot = reference.IndexOf('.');
            return dot > 0 && reference[dot..].Equals(suffix, StringComparison.OrdinalIgnoreCase);
        }

        return !presented.Contains('*', StringComparison.Ordinal) && reference.Equals(presented, StringComparison.OrdinalIgnoreCase);
    }

    public static IEnumerable<string> DnsNames(X509Certificate2 certificate)
    {
        foreach (var extension in certificate.Extensions)
        {
            if (extension.Oid?.Value != SubjectAltNameOid)
            {
                continue;
            }

            List<string> names = [];
            try
            {
                var san = extension as X509SubjectAlternativeNameExtension ?? new X509SubjectAlternativeNameExtension(extension.RawData, extension.Critical);
                names.AddRange(san.EnumerateDnsNames());
            }
            catch (CryptographicException)
            {
                // A malformed SAN extension offers no names.
            }

            return names;
        }

        return [];
    }

    private static MtaStsFailure? BuildChain(X509Certificate2 certificate, X509Chain? presentedChain, X509Certificate2Collection? trustedRoots,
        DateTimeOffset now, bool checkRevocation)
    {
        using var chain = new X509Chain();
        var policy = chain.ChainPolicy;
        policy.DisableCertificateDownloads = true; // never fetch a missing intermediate from the peer's AIA URL
        policy.RevocationMode = checkRevocation ? X509RevocationMode.Online : X509RevocationMode.NoCheck; // CERT-11, FETCH-4
        policy.RevocationFlag = X509RevocationFlag.ExcludeRoot;
        policy.UrlRetrievalTimeout = RevocationUrlTimeout;
        policy.ApplicationPolicy.Add(new Oid(ServerAuthOid)); // the certificate must be good for TLS server authentication
        policy.VerificationTimeIgnored = false;
        policy.VerificationTime = now.LocalDateTime;
        if (presentedChain is not null)
        {
            // What the peer sent (the handshake keeps it in ExtraStore) and what the handshake's offline build found.
            policy.ExtraStore.AddRange(presentedChain.ChainPolicy.ExtraStore);
            for (var i = 1; i < presentedChain.ChainElements.Count; i++)
            {
                policy.ExtraStore.Add(presentedChain.ChainElements[i].Certificate);
            }
        }

        if (trustedRoots is not null)
        {
            policy.TrustMode = X509ChainTrustMode.CustomRootTrust;
            policy.CustomTrustStore.AddRange(trustedRoots);
        }

        try
        {
            if (chain.Build(certificate))
            {
                return null;
            }

            var flags = X509ChainStatusFlags.NoError;
            foreach (var status in chain.ChainStatus)
            {
                flags |= status.Status;
            }

            if ((flags & X509ChainStatusFlags.NotTimeValid) != 0)
            {
                return new MtaStsFailure(MtaStsFailureKind.CertificateExpired, "a certificate of the chain is outside its validity period", flags.ToString());
            }

            return (flags & X509ChainStatusFlags.NotValidForUsage) != 0
                ? new MtaStsFailure(MtaStsFailureKind.CertificateNotTrusted, $"the certificate is not valid for TLS server authentication (extended key usage; {flags})", flags.ToString())
                : new MtaStsFailure(MtaStsFailureKind.CertificateNotTrusted, $"the certificate does not chain to a trusted root ({flags})", flags.ToString());
        }
        catch (CryptographicException ex)
        {
            return new MtaStsFailure(MtaStsFailureKind.CertificateNotTrusted, $"the chain could not be built: {ex.Message}", "chain-build-error");
        }
    }
}
