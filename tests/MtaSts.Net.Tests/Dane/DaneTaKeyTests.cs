using System.Security.Cryptography.X509Certificates;
using MtaSts.Dane;
using MtaSts.Testing;

namespace MtaSts.Tests.Dane;

/// <summary>
/// DANE-TA(2) when the trust-anchor certificate is not in the chain the server sent: a <c>2 1 0</c> record carries the
/// anchor's whole key, and a chain whose topmost certificate that key signed is anchored (RFC 7671 §5.2.3, RFC 7672
/// §3.1.2); a <c>2 0 0</c> record carries the whole anchor certificate (RFC 7671 §5.2.2); the rest of the chain and the
/// leaf's names are still checked. Also a presented intermediate as the anchor.
/// </summary>
public sealed class DaneTaKeyTests
{
    private const string Mx = "mx.example.net";
    private readonly DateTimeOffset _now = DateTimeOffset.UtcNow;

    [Theory]
    [InlineData("p256")]
    [InlineData("p384")]
    [InlineData("rsa")]
    [InlineData("rsa-pss")]
    public void Match_TwoOneZeroAnchorOmitted_Authenticates(string kind)
    {
        using var root = new KeyedAuthority("DANE Root", kind);
        using var leaf = root.Issue(Mx);

        TlsaMatcher.Match(State(TwoOneZero(root)), leaf, [], _now).Should().BeNull(
            "the leaf is signed by the key the 2 1 0 record publishes; the server need not send the anchor (RFC 7671 §5.2.3)");
    }

    [Theory]
    [InlineData("p256", "p256")]
    [InlineData("rsa", "p384")]
    [InlineData("p384", "rsa-pss")]
    public void Match_TwoOneZeroWithIntermediate_Authenticates(string rootKind, string intermediateKind)
    {
        using var root = new KeyedAuthority("DANE Root", rootKind);
        using var intermediate = new KeyedAuthority("DANE Intermediate", intermediateKind, root);
        using var leaf = intermediate.Issue(Mx);

        TlsaMatcher.Match(State(TwoOneZero(root)), leaf, [intermediate.Certificate], _now).Should().BeNull(
            "the topmost presented certificate is signed by the anchor key and the leaf chains up to it");
    }

    [Fact]
    public void Match_TwoOneZeroChainSentOutOfOrder_Authenticates()
    {
        using var root = new KeyedAuthority("DANE Root", "p256");
        using var upper = new KeyedAuthority("Upper", "p256", root);
        using var lower = new KeyedAuthority("Lower", "rsa", upper);
        using var leaf = lower.Issue(Mx);

        TlsaMatcher.Match(State(TwoOneZero(root)), leaf, [upper.Certificate, lower.Certificate, lower.Certificate], _now).Should().BeNull(
            "the path is built by issuer and signature, not by the order (or the duplicates) the server sent");
    }

    [Fact]
    public void Match_TwoOneZeroUnrelatedKey_TlsaInvalid()
    {
        using var root = new KeyedAuthority("DANE Root", "p256");
        using var unrelated = new KeyedAuthority("Elsewhere", "p256");
        using var leaf = root.Issue(Mx);

        TlsaMatcher.Match(State(TwoOneZero(unrelated)), leaf, [], _now)!.ResultType.Should().Be("tlsa-invalid");
    }

    [Fact]
    public void Match_LeafSignedByOtherKeyUnderTheAnchorsName_TlsaInvalid()
    {
        using var root = new KeyedAuthority("DANE Root", "p256");
        using var impostor = new KeyedAuthority("DANE Root", "p256");
        using var forged = impostor.Issue(Mx);

        TlsaMatcher.Match(State(TwoOneZero(root)), forged, [root.Certificate], _now)!.ResultType.Should().Be("tlsa-invalid",
            "the issuer name matches but the signature does not verify under the anchor key");
    }

    [Fact]
    public void Match_LeafSignedByOtherKeyUnderTheIntermediatesName_TlsaInvalid()
    {
        using var root = new KeyedAuthority("DANE Root", "p256");
        using var intermediate = new KeyedAuthority("DANE Intermediate", "p256", root);
        using var impostor = new KeyedAuthority("DANE Intermediate", "p256");
        using var forged = impostor.Issue(Mx);

        TlsaMatcher.Match(State(TwoOneZero(root)), forged, [intermediate.Certificate], _now)!.ResultType.Should().Be("tlsa-invalid",
            "the genuine intermediate carries the forged leaf's issuer name, but its key did not sign it");
    }

    [Fact]
    public void Match_TwoOneZeroWrongHost_CertificateHostMismatch()
    {
        using var root = new KeyedAuthority("DANE Root", "rsa");
        using var leaf = root.Issue("other.example.org");

        TlsaMatcher.Match(State(TwoOneZero(root)), leaf, [], _now)!.ResultType.Should().Be("certificate-host-mismatch",
            "RFC 7671 §5.2.3: the leaf certificate name checks still apply");
    }

    [Fact]
    public void Match_TwoOneZeroExpiredLeaf_Fails()
    {
        using var root = new KeyedAuthority("DANE Root", "p256");
        using var leaf = root.Issue(Mx, _now.AddDays(-60), _now.AddDays(-1));

        TlsaMatcher.Match(State(TwoOneZero(root)), leaf, [], _now).Should().NotBeNull("DANE-TA(2) chains are validated at the current time");
    }

    [Fact]
    public void Match_TwoOneZeroExpiredIntermediate_Fails()
    {
        using var root = new KeyedAuthority("DANE Root", "p256");
        using var intermediate = new KeyedAuthority("DANE Intermediate", "p256", root, notAfter: _now.AddDays(-1));
        using var leaf = intermediate.Issue(Mx);

        TlsaMatcher.Match(State(TwoOneZero(root)), leaf, [intermediate.Certificate], _now).Should().NotBeNull(
            "the topmost certificate must not have expired (RFC 7671 §5.2.3)");
    }

    [Fact]
    public void Match_TwoOneZeroIssuerThatIsNoCa_Fails()
    {
        using var root = new KeyedAuthority("DANE Root", "p256");
        using var notCa = new KeyedAuthority("Not A CA", "p256", root, ca: false);
        using var leaf = notCa.Issue(Mx);

        TlsaMatcher.Match(State(TwoOneZero(root)), leaf, [notCa.Certificate], _now).Should().NotBeNull("an issuer needs basicConstraints cA");
    }

    [Fact]
    public void Match_TwoOneZeroPathLengthExceeded_Fails()
    {
        using var root = new KeyedAuthority("DANE Root", "p256");
        using var upper = new KeyedAuthority("Upper", "p256", root, pathLength: 0);
        using var lower = new KeyedAuthority("Lower", "p256", upper);
        using var leaf = lower.Issue(Mx);

        TlsaMatcher.Match(State(TwoOneZero(root)), leaf, [upper.Certificate, lower.Certificate], _now).Should().NotBeNull(
            "pathLenConstraint 0 forbids a CA below the upper intermediate");
    }

    [Fact]
    public void Match_TwoOneZeroChainLongerThanTheLimit_Fails()
    {
        var authorities = new List<KeyedAuthority> { new("DANE Root", "p256") };
        for (var i = 0; i < TrustAnchorPath.MaxDepth; i++)
        {
            authorities.Add(new KeyedAuthority($"Level {i}", "p256", authorities[^1]));
        }

        using var leaf = authorities[^1].Issue(Mx);
        var presented = authorities.Skip(1).Select(a => a.Certificate).ToList();

        TlsaMatcher.Match(State(TwoOneZero(authorities[0])), leaf, presented, _now).Should().NotBeNull("the walk is bounded");
        authorities.ForEach(a => a.Dispose());
    }

    [Theory]
    [InlineData(TlsaMatcher.MaxUsableRecords - 1, true, "the last record within the limit is tried")]
    [InlineData(TlsaMatcher.MaxUsableRecords, false, "records past the limit are not tried")]
    public void Match_TwoOneZeroAfterOtherRecords_TriedWithinTheLimit(int before, bool authenticates, string reason)
    {
        using var root = new KeyedAuthority("DANE Root", "p256");
        using var other = new KeyedAuthority("Elsewhere", "p256");
        using var leaf = root.Issue(Mx);
        var records = Enumerable.Repeat(TwoOneZero(other), before).Append(TwoOneZero(root)).ToList();
        var dane = new DaneState(DnssecStatus.Secure, $"_25._tcp.{Mx}", records, [Mx]);

        (TlsaMatcher.Match(dane, leaf, [], _now) is null).Should().Be(authenticates, reason);
    }

    [Theory]
    [InlineData("3000", "an empty SEQUENCE")]
    [InlineData("30819f300d06092a864886f70d0101010500", "a truncated RSA key")]
    [InlineData("302a300506032b6570032100aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "an Ed25519 key")]
    [InlineData("ff", "not DER")]
    public void Match_TwoOneZeroMalformedKey_TlsaInvalidNoException(string hex, string reason)
    {
        using var root = new KeyedAuthority("DANE Root", "p256");
        using var leaf = root.Issue(Mx);

        TlsaMatcher.Match(State(new TlsaAssociation(2, 1, 0, Convert.FromHexString(hex))), leaf, [], _now)!.ResultType.Should().Be("tlsa-invalid", reason);
    }

    [Fact]
    public void Match_TwoOneOneAnchorOmitted_TlsaInvalid()
    {
        using var root = new KeyedAuthority("DANE Root", "p256");
        using var leaf = root.Issue(Mx);

        TlsaMatcher.Match(State(new TlsaAssociation(2, 1, 1, TlsaMatcher.Associate(root.Certificate, 1, 1))), leaf, [], _now)!.ResultType
            .Should().Be("tlsa-invalid", "a digest cannot verify a signature: the server must send the anchor (RFC 7671 §5.2.2)");
    }

    [Fact]
    public void Match_TwoOneZeroOfTheLeafsOwnKey_TlsaInvalid()
    {
        using var root = new KeyedAuthority(Mx, "p256");
        var selfSigned = root.Certificate;

        TlsaMatcher.Match(State(new TlsaAssociation(2, 1, 0, root.Spki)), selfSigned, [], _now)!.ResultType.Should().Be("tlsa-invalid",
            "DANE-TA names an issuer, not the end-entity");
    }

    [Theory]
    [InlineData(false, "the root certificate comes from the record")]
    [InlineData(true, "with an intermediate the server did send")]
    public void Match_TwoZeroZeroAnchorOmitted_Authenticates(bool withIntermediate, string reason)
    {
        // RFC 7671 §5.2.2: with a "2 0 0" record the client MUST verify the chain even if the TA certificate appears only in DNS.
        using var root = new KeyedAuthority("DANE Root", "rsa");
        using var intermediate = new KeyedAuthority("DANE Intermediate", "p256", root);
        using var leaf = withIntermediate ? intermediate.Issue(Mx) : root.Issue(Mx);
        X509Certificate2[] presented = withIntermediate ? [intermediate.Certificate] : [];

        TlsaMatcher.Match(State(new TlsaAssociation(2, 0, 0, root.Certificate.RawData)), leaf, presented, _now).Should().BeNull(reason);
    }

    [Fact]
    public void Match_TwoZeroZeroOfAnotherCa_TlsaInvalid()
    {
        using var root = new KeyedAuthority("DANE Root", "p256");
        using var impostor = new KeyedAuthority("DANE Root", "p256");
        using var forged = impostor.Issue(Mx);

        TlsaMatcher.Match(State(new TlsaAssociation(2, 0, 0, root.Certificate.RawData)), forged, [], _now)!.ResultType.Should().Be("tlsa-invalid",
            "same issuer name, another key");
    }

    [Theory]
    [InlineData("ff", "not DER")]
    [InlineData("3003020101", "a SEQUENCE that is no certificate")]
    public void Match_TwoZeroZeroMalformedCertificate_TlsaInvalidNoException(string hex, string reason)
    {
        using var root = new KeyedAuthority("DANE Root", "p256");
        using var leaf = root.Issue(Mx);

        TlsaMatcher.Match(State(new TlsaAssociation(2, 0, 0, Convert.FromHexString(hex))), leaf, [], _now)!.ResultType.Should().Be("tlsa-invalid", reason);
    }

    [Fact]
    public void Match_TwoZeroZeroTruncatedCertificate_TlsaInvalidNoException()
    {
        using var root = new KeyedAuthority("DANE Root", "p256");
        using var leaf = root.Issue(Mx);

        TlsaMatcher.Match(State(new TlsaAssociation(2, 0, 0, root.Certificate.RawData[..^10])), leaf, [], _now)!.ResultType.Should().Be("tlsa-invalid");
    }

    [Fact]
    public void Match_PresentedIntermediateAsAnchor_Authenticates()
    {
        using var ca = new TestCertificateAuthority("DANE Test Root");
        using var intermediate = ca.IssueIntermediate("DANE Intermediate");
        using var leaf = ca.Issue(Mx, [Mx], new TestCertificateOptions { Issuer = intermediate });
        var dane = State(new TlsaAssociation(2, 0, 1, TlsaMatcher.Associate(intermediate, 0, 1)));

        TlsaMatcher.Match(dane, leaf, [Copy(intermediate)], _now).Should().BeNull(
            "a DANE-TA(2) record may name an intermediate CA the server presents (RFC 7671 §5.2)");
    }

    [Fact]
    public void Match_PresentedIntermediateAnchorWithPathLengthZeroAboveAnotherCa_Fails()
    {
        using var root = new KeyedAuthority("DANE Root", "p256");
        using var upper = new KeyedAuthority("Upper", "p256", root, pathLength: 0);
        using var lower = new KeyedAuthority("Lower", "p256", upper);
        using var leaf = lower.Issue(Mx);
        var dane = State(new TlsaAssociation(2, 0, 1, TlsaMatcher.Associate(upper.Certificate, 0, 1)));

        TlsaMatcher.Match(dane, leaf, [upper.Certificate, lower.Certificate], _now).Should().NotBeNull(
            "the Cert(0) anchor's own path length constraint applies (RFC 7671 §5.2.1)");
    }

    private static TlsaAssociation TwoOneZero(KeyedAuthority anchor) => new(2, 1, 0, anchor.Spki);

    private static DaneState State(TlsaAssociation record) => new(DnssecStatus.Secure, $"_25._tcp.{Mx}", [record], [Mx]);

    private static X509Certificate2 Copy(X509Certificate2 certificate) => X509CertificateLoader.LoadCertificate(certificate.RawData);
}
