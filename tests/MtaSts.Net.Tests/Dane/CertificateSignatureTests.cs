using System.Formats.Asn1;
using System.Security.Cryptography.X509Certificates;
using MtaSts.Dane;

namespace MtaSts.Tests.Dane;

/// <summary>A certificate's signature under a bare public key (RFC 7671 §5.2.3), and hostile input that must only fail to match.</summary>
public sealed class CertificateSignatureTests
{
    private const string Mx = "mx.example.net";

    [Theory]
    [InlineData("rsa", "RSA PKCS#1 v1.5, SHA-256")]
    [InlineData("rsa-sha512", "RSA PKCS#1 v1.5, SHA-512")]
    [InlineData("rsa-pss", "RSASSA-PSS, SHA-256, salt 32")]
    [InlineData("rsa-pss-sha384", "RSASSA-PSS, SHA-384, salt 48")]
    [InlineData("p256", "ECDSA P-256, SHA-256")]
    [InlineData("p384", "ECDSA P-384, SHA-384")]
    public void VerifiesUnder_IssuerKey_TrueAndOtherKeyFalse(string kind, string reason)
    {
        using var ca = new KeyedAuthority("Signer", kind);
        using var other = new KeyedAuthority("Signer", kind);
        using var leaf = ca.Issue(Mx);

        CertificateSignature.VerifiesUnder(leaf, ca.Spki).Should().BeTrue(reason);
        CertificateSignature.VerifiesUnder(leaf, other.Spki).Should().BeFalse("another key of the same kind and name must not verify");
    }

    [Fact]
    public void VerifiesUnder_KeyOfTheWrongKind_False()
    {
        using var ec = new KeyedAuthority("Signer", "p256");
        using var rsa = new KeyedAuthority("Signer", "rsa");
        using var leaf = ec.Issue(Mx);

        CertificateSignature.VerifiesUnder(leaf, rsa.Spki).Should().BeFalse("an ECDSA signature is not checked against an RSA key");
    }

    public static TheoryData<string, string> MalformedKeys => new()
    {
        { "", "empty" },
        { "3000", "an empty SEQUENCE" },
        { "deadbeef", "not DER" },
        { "302a300506032b6570032100" + new string('1', 64), "an Ed25519 key (no .NET 10 type): unsupported, not an exception" },
        { "3059301306072a8648ce3d020106082a8648ce3d030107034200" + new string('0', 130), "a P-256 key that is not a curve point" },
    };

    [Theory]
    [MemberData(nameof(MalformedKeys))]
    public void VerifiesUnder_MalformedOrUnsupportedKey_False(string hex, string reason)
    {
        using var ca = new KeyedAuthority("Signer", "p256");
        using var leaf = ca.Issue(Mx);

        CertificateSignature.VerifiesUnder(leaf, Convert.FromHexString(hex)).Should().BeFalse(reason);
    }

    [Fact]
    public void VerifiesUnder_TruncatedSpki_False()
    {
        using var ca = new KeyedAuthority("Signer", "rsa");
        using var leaf = ca.Issue(Mx);

        CertificateSignature.VerifiesUnder(leaf, ca.Spki.AsSpan(0, ca.Spki.Length - 7)).Should().BeFalse();
        CertificateSignature.VerifiesUnder(leaf, [.. ca.Spki, 0x00]).Should().BeFalse("trailing bytes after the key");
    }

    [Fact]
    public void VerifiesUnder_KeyBitStringClaimingUnusedBits_False()
    {
        // 30 59 | 30 13 <id-ecPublicKey, P-256> | 03 42 00 04 X Y: byte 25 is the BIT STRING's unused-bits count. With a
        // last byte that ends in a zero bit, "1 unused bit" is still valid DER for the same point.
        for (var attempt = 0; attempt < 64; attempt++)
        {
            using var ca = new KeyedAuthority("Signer", "p256");
            var spki = ca.Spki;
            if ((spki[^1] & 1) != 0)
            {
                continue;
            }

            using var leaf = ca.Issue(Mx);
            spki[25].Should().Be(0, "the layout of a P-256 SubjectPublicKeyInfo");
            spki[25] = 1;

            CertificateSignature.VerifiesUnder(leaf, spki).Should().BeFalse("the record data is not the key's SubjectPublicKeyInfo");
            return;
        }

        Assert.Fail("no P-256 key whose last byte is even in 64 tries");
    }

    [Theory]
    [InlineData("p256")]
    [InlineData("rsa")]
    public void VerifiesUnder_TruncatedSignature_False(string kind)
    {
        using var ca = new KeyedAuthority("Signer", kind);
        using var leaf = ca.Issue(Mx);
        using var truncated = Rewrite(leaf, signature: s => s[..(s.Length / 2)]);

        CertificateSignature.VerifiesUnder(truncated, ca.Spki).Should().BeFalse();
    }

    [Theory]
    [InlineData("1.2.840.113549.1.1.5", true, "sha1WithRSAEncryption is not accepted")]
    [InlineData("1.3.101.112", true, "Ed25519 has no .NET 10 type")]
    [InlineData("1.2.3.4.5", true, "an unknown OID")]
    [InlineData("1.2.840.10045.4.3.3", false, "only the outer copy changed: the signed copy must be the same (RFC 5280 §4.1.1.2)")]
    public void VerifiesUnder_OtherSignatureAlgorithm_False(string oid, bool alsoSigned, string reason)
    {
        using var ca = new KeyedAuthority("Signer", "p256");
        using var leaf = ca.Issue(Mx);
        using var changed = Rewrite(leaf, algorithm: oid, algorithmInTbs: alsoSigned);

        CertificateSignature.VerifiesUnder(changed, ca.Spki).Should().BeFalse(reason);
    }

    /// <summary>Re-encodes <paramref name="certificate"/> with another signature value or algorithm (no re-signing).</summary>
    private static X509Certificate2 Rewrite(X509Certificate2 certificate, Func<byte[], byte[]>? signature = null, string? algorithm = null,
        bool algorithmInTbs = false)
    {
        var fields = new AsnReader(certificate.RawData, AsnEncodingRules.DER).ReadSequence();
        var tbs = fields.ReadEncodedValue().ToArray();
        var algorithmId = fields.ReadEncodedValue().ToArray();
        var value = fields.ReadBitString(out _);
        var newAlgorithm = algorithm is null ? algorithmId : AlgorithmIdentifier(algorithm);
        var writer = new AsnWriter(AsnEncodingRules.DER);
        using (writer.PushSequence())
        {
            writer.WriteEncodedValue(algorithmInTbs ? ReplaceTbsAlgorithm(tbs, newAlgorithm) : tbs);
            writer.WriteEncodedValue(newAlgorithm);
            writer.WriteBitString(signature?.Invoke(value) ?? value);
        }

        return X509CertificateLoader.LoadCertificate(writer.Encode());
    }

    private static byte[] AlgorithmIdentifier(string oid)
    {
        var writer = new AsnWriter(AsnEncodingRules.DER);
        using (writer.PushSequence())
        {
            writer.WriteObjectIdentifier(oid);
        }

        return writer.Encode();
    }

    private static byte[] ReplaceTbsAlgorithm(byte[] tbs, byte[] algorithm)
    {
        var fields = new AsnReader(tbs, AsnEncodingRules.DER).ReadSequence();
        var writer = new AsnWriter(AsnEncodingRules.DER);
        using (writer.PushSequence())
        {
            writer.WriteEncodedValue(fields.ReadEncodedValue().Span); // version [0]
            writer.WriteEncodedValue(fields.ReadEncodedValue().Span); // serialNumber
            fields.ReadEncodedValue();
            writer.WriteEncodedValue(algorithm);
            while (fields.HasData)
            {
                writer.WriteEncodedValue(fields.ReadEncodedValue().Span);
            }
        }

        return writer.Encode();
    }
}
