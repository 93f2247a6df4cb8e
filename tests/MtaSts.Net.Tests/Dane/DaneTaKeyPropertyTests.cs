using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using CsCheck;
using MtaSts.Dane;

namespace MtaSts.Tests.Dane;

/// <summary>
/// Hostile record data and certificates against the DANE-TA(2) key path (CsCheck): no exception, no authentication.
/// </summary>
public sealed class DaneTaKeyPropertyTests : IDisposable
{
    private const string Mx = "mx.example.net";
    private readonly KeyedAuthority _root = new("DANE Root", "p256");
    private readonly X509Certificate2 _leaf;
    private readonly DateTimeOffset _now = DateTimeOffset.UtcNow;

    public DaneTaKeyPropertyTests() => _leaf = _root.Issue(Mx);

    [Fact]
    public void Match_RandomRecordData_NeverThrowsNeverAuthenticates() =>
        Gen.Select(Gen.Byte[0, 1], Gen.Byte.Array[1, 300]).Sample((selector, data) =>
            TlsaMatcher.Match(State(new TlsaAssociation(2, selector, 0, data)), _leaf, [], _now) is not null, iter: 3_000);

    [Fact]
    public void VerifiesUnder_OneByteChangedInTheAnchorKey_False()
    {
        var spki = _root.Spki;
        CertificateSignature.VerifiesUnder(_leaf, spki).Should().BeTrue("the unchanged key verifies: the property below can fail");

        Gen.Select(Gen.Int[0, spki.Length - 1], Gen.Byte[1, 255]).Sample((at, mask) =>
        {
            var changed = (byte[])spki.Clone();
            changed[at] ^= mask;
            return !CertificateSignature.VerifiesUnder(_leaf, changed);
        }, iter: 2_000);
    }

    [Theory]
    [InlineData(2, 1, 0)]
    [InlineData(2, 0, 0)]
    [InlineData(3, 1, 1)]
    public void Match_OneByteChangedInTheLeaf_NeverThrowsAndDaneTaNeverAuthenticates(byte usage, byte selector, byte matching)
    {
        // DANE-EE(3) SPKI(1) binds the key only: a change elsewhere in the leaf may still match (RFC 7671 §5.1), so that
        // row checks only that nothing throws; a DANE-TA(2) chain is signed, so any change must be refused.
        var der = _leaf.RawData;
        var record = usage == 3
            ? new TlsaAssociation(usage, selector, matching, TlsaMatcher.Associate(_leaf, selector, matching))
            : new TlsaAssociation(usage, selector, matching, selector == 0 ? _root.Certificate.RawData : _root.Spki);
        TlsaMatcher.Match(State(record), _leaf, [], _now).Should().BeNull("the unchanged leaf authenticates");

        Gen.Select(Gen.Int[0, der.Length - 1], Gen.Byte[1, 255]).Sample((at, mask) =>
        {
            var changed = (byte[])der.Clone();
            changed[at] ^= mask;
            using var leaf = Load(changed);
            return leaf is null || TlsaMatcher.Match(State(record), leaf, [], _now) is not null || usage == TlsaAssociation.DaneEe;
        }, iter: 2_000);
    }

    public void Dispose()
    {
        _leaf.Dispose();
        _root.Dispose();
    }

    private static X509Certificate2? Load(byte[] der)
    {
        try
        {
            return X509CertificateLoader.LoadCertificate(der);
        }
        catch (CryptographicException)
        {
            return null; // not loadable: the platform refused it before the matcher could see it
        }
    }

    private static DaneState State(TlsaAssociation record) => new(DnssecStatus.Secure, $"_25._tcp.{Mx}", [record], [Mx]);
}
