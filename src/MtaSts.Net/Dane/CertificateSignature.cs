using System.Formats.Asn1;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace MtaSts.Dane;

/// <summary>
/// Checks that a certificate's signature verifies under a bare public key (a SubjectPublicKeyInfo), as DANE-TA(2)
/// SPKI(1) Full(0) needs when the trust-anchor certificate is not in the chain (RFC 7671 §5.2.3). Pure.
/// <code>
/// Certificate  ::= SEQUENCE { tbsCertificate TBSCertificate, signatureAlgorithm AlgorithmIdentifier, signatureValue BIT STRING }
/// TBSCertificate ::= SEQUENCE { version [0] EXPLICIT OPTIONAL, serialNumber INTEGER, signature AlgorithmIdentifier, ... }
/// </code>
/// (RFC 5280 §4.1). Supported: RSA PKCS#1 v1.5 and RSASSA-PSS (MGF1 with the same hash, salt = hash length), ECDSA,
/// each with SHA-256/384/512. Anything else (SHA-1, Ed25519, which .NET 10 has no type for, unknown OIDs, malformed
/// DER, a key of the wrong kind) does not verify: the answer is <see langword="false"/>, never an exception.
/// </summary>
internal static class CertificateSignature
{
    private const string RsaEncryption = "1.2.840.113549.1.1.1";
    private const string EcPublicKey = "1.2.840.10045.2.1";
    private const string RsaPss = "1.2.840.113549.1.1.10";
    private const string Mgf1 = "1.2.840.113549.1.1.8";

    /// <summary>Whether the signature on <paramref name="certificate"/> verifies under <paramref name="subjectPublicKeyInfo"/>.</summary>
    /// <param name="certificate">The signed certificate.</param>
    /// <param name="subjectPublicKeyInfo">A DER SubjectPublicKeyInfo (RFC 5280 §4.1.2.7), e.g. the data of a <c>2 1 0</c> record.</param>
    public static bool VerifiesUnder(X509Certificate2 certificate, ReadOnlySpan<byte> subjectPublicKeyInfo)
    {
        try
        {
            return Verify(certificate.RawDataMemory, subjectPublicKeyInfo);
        }
        catch (Exception ex) when (ex is AsnContentException or CryptographicException or NotSupportedException)
        {
            // The Asn1 reader and the key import report malformed input (an unknown curve: PlatformNotSupportedException)
            // by throwing; here that only means "no match".
            return false;
        }
    }

    private static bool Verify(ReadOnlyMemory<byte> der, ReadOnlySpan<byte> spki)
    {
        var outer = new AsnReader(der, AsnEncodingRules.DER);
        var certificate = outer.ReadSequence();
        outer.ThrowIfNotEmpty();
        var tbs = certificate.ReadEncodedValue();
        var algorithm = certificate.ReadEncodedValue();
        if (!certificate.TryReadPrimitiveBitString(out var unusedBits, out var signature) || unusedBits != 0)
        {
            return false;
        }

        certificate.ThrowIfNotEmpty();
        if (!InnerAlgorithm(tbs).Span.SequenceEqual(algorithm.Span))
        {
            return false; // RFC 5280 §4.1.1.2: the signed copy of the algorithm must be the same.
        }

        var scheme = Scheme.Parse(algorithm);
        return scheme is not null && scheme.Verify(spki, tbs.Span, signature.Span);
    }

    private static ReadOnlyMemory<byte> InnerAlgorithm(ReadOnlyMemory<byte> tbs)
    {
        var fields = new AsnReader(tbs, AsnEncodingRules.DER).ReadSequence();
        if (fields.PeekTag().HasSameClassAndValue(new Asn1Tag(TagClass.ContextSpecific, 0)))
        {
            fields.ReadEncodedValue(); // version
        }

        fields.ReadIntegerBytes(); // serialNumber
        return fields.ReadEncodedValue();
    }

    private static HashAlgorithmName? HashByOid(string oid) => oid switch
    {
        "2.16.840.1.101.3.4.2.1" => HashAlgorithmName.SHA256,
        "2.16.840.1.101.3.4.2.2" => HashAlgorithmName.SHA384,
        "2.16.840.1.101.3.4.2.3" => HashAlgorithmName.SHA512,
        _ => null,
    };

    private static int HashLength(HashAlgorithmName hash) => hash == HashAlgorithmName.SHA256 ? 32 : hash == HashAlgorithmName.SHA384 ? 48 : 64;

    /// <summary>A signature algorithm this class can verify: the key kind it needs, its hash and its RSA padding.</summary>
    private sealed record Scheme(string KeyOid, HashAlgorithmName Hash, RSASignaturePadding? Padding)
    {
        public static Scheme? Parse(ReadOnlyMemory<byte> algorithmIdentifier)
        {
            var sequence = new AsnReader(algorithmIdentifier, AsnEncodingRules.DER).ReadSequence();
            var oid = sequence.ReadObjectIdentifier();
            var scheme = oid switch
            {
                "1.2.840.113549.1.1.11" => new Scheme(RsaEncryption, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1),
                "1.2.840.113549.1.1.12" => new Scheme(RsaEncryption, HashAlgorithmName.SHA384, RSASignaturePadding.Pkcs1),
                "1.2.840.113549.1.1.13" => new Scheme(RsaEncryption, HashAlgorithmName.SHA512, RSASignaturePadding.Pkcs1),
                "1.2.840.10045.4.3.2" => new Scheme(EcPublicKey, HashAlgorithmName.SHA256, null),
                "1.2.840.10045.4.3.3" => new Scheme(EcPublicKey, HashAlgorithmName.SHA384, null),
                "1.2.840.10045.4.3.4" => new Scheme(EcPublicKey, HashAlgorithmName.SHA512, null),
                RsaPss when sequence.HasData => PssParameters(sequence.ReadSequence()),
                _ => null,
            };

            if (scheme is null || oid == RsaPss)
            {
                return scheme;
            }

            // RSA PKCS#1 v1.5 takes NULL (or no) parameters (RFC 4055 §5); ECDSA takes none (RFC 5758 §3.2).
            if (sequence.HasData && scheme.Padding is not null)
            {
                sequence.ReadNull();
            }

            return sequence.HasData ? null : scheme;
        }

        public bool Verify(ReadOnlySpan<byte> spki, ReadOnlySpan<byte> signed, ReadOnlySpan<byte> signature)
        {
            // SubjectPublicKeyInfo ::= SEQUENCE { algorithm AlgorithmIdentifier, subjectPublicKey BIT STRING }
            var keyOid = new AsnReader(spki.ToArray(), AsnEncodingRules.DER).ReadSequence().ReadSequence().ReadObjectIdentifier();
            if (keyOid != KeyOid)
            {
                return false;
            }

            if (Padding is not null)
            {
                using var rsa = RSA.Create();
                rsa.ImportSubjectPublicKeyInfo(spki, out _);
                return Canonical(rsa, spki) && rsa.VerifyData(signed, signature, Hash, Padding);
            }

            using var ecdsa = ECDsa.Create();
            ecdsa.ImportSubjectPublicKeyInfo(spki, out _);
            return Canonical(ecdsa, spki) && ecdsa.VerifyData(signed, signature, Hash, DSASignatureFormat.Rfc3279DerSequence);
        }

        /// <summary>
        /// Whether the record holds the key exactly as it exports: trailing bytes, or a BIT STRING that claims unused
        /// bits, are other data than the key's SubjectPublicKeyInfo and do not match it (RFC 6698 §2.1.3, Full(0)).
        /// </summary>
        private static bool Canonical(AsymmetricAlgorithm key, ReadOnlySpan<byte> spki) => key.ExportSubjectPublicKeyInfo().AsSpan().SequenceEqual(spki);

        /// <summary>
        /// RSASSA-PSS-params (RFC 4055 §3.1): only the form .NET verifies, MGF1 over the same hash and a salt as long as
        /// the hash; the SHA-1 defaults and other salt lengths are not supported.
        /// </summary>
        private static Scheme? PssParameters(AsnReader parameters)
        {
            var hashReader = parameters.ReadSequence(new Asn1Tag(TagClass.ContextSpecific, 0)).ReadSequence();
            var hash = HashByOid(hashReader.ReadObjectIdentifier());
            var mgf = parameters.ReadSequence(new Asn1Tag(TagClass.ContextSpecific, 1)).ReadSequence();
            if (hash is null || mgf.ReadObjectIdentifier() != Mgf1 || HashByOid(mgf.ReadSequence().ReadObjectIdentifier()) != hash)
            {
                return null;
            }

            var salt = parameters.ReadSequence(new Asn1Tag(TagClass.ContextSpecific, 2));
            if (!salt.TryReadInt32(out var saltLength) || saltLength != HashLength(hash.Value))
            {
                return null;
            }

            if (parameters.HasData)
            {
                var trailer = parameters.ReadSequence(new Asn1Tag(TagClass.ContextSpecific, 3));
                if (!trailer.TryReadInt32(out var trailerField) || trailerField != 1)
                {
                    return null;
                }
            }

            return parameters.HasData ? null : new Scheme(RsaEncryption, hash.Value, RSASignaturePadding.Pss);
        }
    }
}
