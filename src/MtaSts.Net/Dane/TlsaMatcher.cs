using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using MtaSts.Certificates;

namespace MtaSts.Dane;

/// <summary>
/// Authenticates an SMTP server's certificate chain against its TLSA RRset (RFC 7672 §3, RFC 7671). Pure: the time is
/// passed in and the chain build never goes to the network.
/// <code>
/// DANE-EE(3)  the leaf's certificate (selector 0) or public key (selector 1) matches: authenticated; names and the
///             validity period are not checked (RFC 7672 §3.1.1, RFC 7671 §5.1, DANE-3)
/// DANE-TA(2)  a certificate the server presented (not the leaf) matches and is taken as the only trust anchor, or,
///             when the server omits it, the anchor comes from the record: a 2 0 0 record's certificate (RFC 7671
///             §5.2.2), or a 2 1 0 record's key, which must have signed the topmost certificate of the chain (RFC 7671
///             §5.2.3, <see cref="TrustAnchorPath"/>); the chain from the leaf to the anchor must validate at <c>now</c>
///             and a SAN dNSName of the leaf must match a reference name: the TLSA base domain, the MX host or the next-hop domain (RFC 7672 §3.1.2, §3.2.2; RFC 7671 §5.2)
/// PKIX-TA(0), PKIX-EE(1), unknown parameters   unusable, never matched (RFC 7672 §3.1.3)
/// matching types   0 the whole data, 1 SHA-256, 2 SHA-512 (RFC 6698 §2.1.3)
/// </code>
/// </summary>
internal static class TlsaMatcher
{
    /// <summary>
    /// How many usable records of one RRset are tried. Each DANE-TA(2) record may cost a chain walk with signature checks
    /// (<see cref="TrustAnchorPath"/>); real RRsets hold a handful of records, and a larger one cannot make a session
    /// spend unbounded CPU.
    /// </summary>
    public const int MaxUsableRecords = 32;

    /// <summary>Checks <paramref name="leaf"/> and the chain the server presented; <see langword="null"/> when a usable record authenticates it.</summary>
    /// <param name="dane">The host's DANE state; its usable records are tried.</param>
    /// <param name="leaf">The server's certificate; <see langword="null"/> when it presented none.</param>
    /// <param name="presented">The other certificates the server sent (the handshake's chain and extra store).</param>
    /// <param name="now">The verification time for DANE-TA(2) chains.</param>
    public static MtaStsFailure? Match(DaneState dane, X509Certificate2? leaf, IReadOnlyList<X509Certificate2> presented, DateTimeOffset now)
    {
        if (leaf is null)
        {
            return new MtaStsFailure(MtaStsFailureKind.TlsaInvalid, $"the server presented no certificate to match {dane.TlsaName}", "no-certificate");
        }

        try
        {
            return MatchRecords(dane, leaf, presented, now);
        }
        catch (CryptographicException ex)
        {
            // A certificate that loaded but whose fields the platform cannot read (a malformed date or key) authenticates nothing.
            return new MtaStsFailure(MtaStsFailureKind.TlsaInvalid,
                $"a certificate the server presented for {dane.TlsaName} could not be read ({ex.Message})", "tlsa-mismatch");
        }
    }

    private static MtaStsFailure? MatchRecords(DaneState dane, X509Certificate2 leaf, IReadOnlyList<X509Certificate2> presented, DateTimeOffset now)
    {
        var nameMismatch = false;
        foreach (var record in dane.Records.Where(r => r.IsUsable).Take(MaxUsableRecords))
        {
            if (record.Usage == TlsaAssociation.DaneEe && Matches(record, leaf))
            {
                return null; // RFC 7671 §5.1: DANE-EE ignores names and validity.
            }

            if (record.Usage != TlsaAssociation.DaneTa)
            {
                continue;
            }

            if (!AnchoredBy(record, leaf, presented, now))
            {
                continue;
            }

            if (dane.ReferenceNames.Any(name => CertificateValidator.MatchesDnsName(leaf, name)))
            {
                return null;
            }

            nameMismatch = true;
        }

        return nameMismatch
            ? new MtaStsFailure(MtaStsFailureKind.CertificateHostMismatch,
                $"the chain matches DANE-TA of {dane.TlsaName}, but no subjectAltName of the certificate is one of {string.Join(", ", dane.ReferenceNames)} (RFC 7672 §3.2.2)")
            : new MtaStsFailure(MtaStsFailureKind.TlsaInvalid,
                $"no usable TLSA record of {dane.TlsaName} matches the certificate of {leaf.Subject} ({dane.Records.Count} records)", "tlsa-mismatch");
    }

    /// <summary>Whether <paramref name="certificate"/> matches the record's selector and matching type.</summary>
    public static bool Matches(TlsaAssociation record, X509Certificate2 certificate)
    {
        var selected = record.Selector == 0 ? certificate.RawData : certificate.PublicKey.ExportSubjectPublicKeyInfo();
        var digest = record.MatchingType switch
        {
            0 => selected,
            1 => SHA256.HashData(selected),
            2 => SHA512.HashData(selected),
            _ => null,
        };
        return digest is not null && CryptographicOperations.FixedTimeEquals(digest, record.Data);
    }

    /// <summary>The association data a record for <paramref name="certificate"/> carries (tests, the tool).</summary>
    public static byte[] Associate(X509Certificate2 certificate, byte selector, byte matchingType)
    {
        var selected = selector == 0 ? certificate.RawData : certificate.PublicKey.ExportSubjectPublicKeyInfo();
        return matchingType switch
        {
            1 => SHA256.HashData(selected),
            2 => SHA512.HashData(selected),
            _ => selected,
        };
    }

    /// <summary>Whether the leaf chains, at <paramref name="now"/>, to the trust anchor a DANE-TA(2) record names.</summary>
    private static bool AnchoredBy(TlsaAssociation record, X509Certificate2 leaf, IReadOnlyList<X509Certificate2> presented, DateTimeOffset now)
    {
        if (presented.Any(c => !IsLeaf(c, leaf) && Matches(record, c) && ChainsToCertificate(leaf, c, presented, now)))
        {
            return true;
        }

        return record switch
        {
            // RFC 7671 §5.2.2: a "2 0 0" record carries the whole anchor certificate, which the server may then omit; the
            // client MUST be able to verify the chain with the certificate from DNS alone.
            { Selector: 0, MatchingType: 0 } => ChainsToDnsCertificate(leaf, record.Data, presented, now),

            // RFC 7671 §5.2.3: a "2 1 0" record carries the anchor's whole key, so a chain whose topmost certificate that
            // key signed is anchored even when the server left the anchor certificate out.
            { Selector: 1, MatchingType: 0 } => TrustAnchorPath.Find(leaf, record.Data, presented, now) is not null,
            _ => false,
        };
    }

    /// <summary>
    /// A self-signed root anchor goes to the platform chain engine; an intermediate anchor (which .NET on Linux does not
    /// take as a custom root) is walked up to by key, with its own pathLenConstraint applied (RFC 7671 §5.2.1).
    /// </summary>
    private static bool ChainsToCertificate(X509Certificate2 leaf, X509Certificate2 anchor, IReadOnlyList<X509Certificate2> presented, DateTimeOffset now) =>
        ChainsTo(leaf, anchor, presented, now)
        || TrustAnchorPath.Find(leaf, anchor.PublicKey.ExportSubjectPublicKeyInfo(), presented, now) is { } below
        && TrustAnchorPath.IsIssuer(anchor, below);

    private static bool IsLeaf(X509Certificate2 certificate, X509Certificate2 leaf) => certificate.RawDataMemory.Span.SequenceEqual(leaf.RawDataMemory.Span);

    /// <summary>The certificate in a <c>2 0 0</c> record; <see langword="null"/> when the data is not one DER certificate.</summary>
    private static X509Certificate2? FromDns(byte[] data)
    {
        try
        {
            return X509CertificateLoader.LoadCertificate(data);
        }
        catch (CryptographicException)
        {
            return null; // malformed record data: no match
        }
    }

    private static bool ChainsToDnsCertificate(X509Certificate2 leaf, byte[] data, IReadOnlyList<X509Certificate2> presented, DateTimeOffset now)
    {
        using var anchor = FromDns(data);
        return anchor is not null && !IsLeaf(anchor, leaf) && ChainsToCertificate(leaf, anchor, presented, now);
    }

    private static bool ChainsTo(X509Certificate2 leaf, X509Certificate2 anchor, IReadOnlyList<X509Certificate2> presented, DateTimeOffset now)
    {
        using var chain = new X509Chain();
        chain.ChainPolicy = CertificateValidator.OfflinePolicy();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(anchor);
        chain.ChainPolicy.ExtraStore.AddRange(presented.ToArray());
        chain.ChainPolicy.VerificationTime = now.UtcDateTime;
        chain.ChainPolicy.VerificationTimeIgnored = false;
        return chain.Build(leaf);
    }
}
