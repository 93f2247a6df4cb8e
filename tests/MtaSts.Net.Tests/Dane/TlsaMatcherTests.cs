using System.Security.Cryptography.X509Certificates;
using MtaSts.Dane;
using MtaSts.Testing;

namespace MtaSts.Tests.Dane;

/// <summary>RFC 7672 §3 / RFC 7671 matching, with certificates from the test CA.</summary>
public sealed class TlsaMatcherTests : IDisposable
{
    private const string Mx = "mx.example.net";
    private readonly TestCertificateAuthority _ca = new("DANE Test Root");
    private readonly DateTimeOffset _now = DateTimeOffset.UtcNow;

    [Theory]
    [InlineData(0, 0, "DANE-EE full certificate, exact")]
    [InlineData(0, 1, "DANE-EE full certificate, SHA-256")]
    [InlineData(0, 2, "DANE-EE full certificate, SHA-512")]
    [InlineData(1, 0, "DANE-EE public key, exact")]
    [InlineData(1, 1, "DANE-EE public key, SHA-256 (the common 3 1 1)")]
    [InlineData(1, 2, "DANE-EE public key, SHA-512")]
    public void Match_DaneEeEachSelectorAndMatchingType_Authenticates(byte selector, byte matching, string reason)
    {
        using var leaf = _ca.IssueFor(Mx);
        var dane = State(new TlsaAssociation(3, selector, matching, TlsaMatcher.Associate(leaf, selector, matching)));

        TlsaMatcher.Match(dane, leaf, [], _now).Should().BeNull(reason);
    }

    [Fact]
    public void Match_DaneEeExpiredWrongHostCertificate_Authenticates()
    {
        // DANE-3, RFC 7671 §5.1: DANE-EE ignores the names and the validity period.
        using var leaf = _ca.Issue("elsewhere.example.org", ["elsewhere.example.org"], _now.AddDays(-60), _now.AddDays(-1));
        var dane = State(new TlsaAssociation(3, 1, 1, TlsaMatcher.Associate(leaf, 1, 1)));

        TlsaMatcher.Match(dane, leaf, [], _now).Should().BeNull("DANE-EE(3) authenticates the key, not the name or the dates");
    }

    [Fact]
    public void Match_DaneEeOtherKey_TlsaInvalid()
    {
        using var leaf = _ca.IssueFor(Mx);
        using var other = _ca.IssueFor(Mx);
        var dane = State(new TlsaAssociation(3, 1, 1, TlsaMatcher.Associate(other, 1, 1)));

        TlsaMatcher.Match(dane, leaf, [], _now)!.ResultType.Should().Be("tlsa-invalid");
    }

    [Theory]
    [InlineData(0, "PKIX-TA(0) is unusable for SMTP")]
    [InlineData(1, "PKIX-EE(1) is unusable for SMTP")]
    public void Match_PkixUsages_NeverMatch(byte usage, string reason)
    {
        using var leaf = _ca.IssueFor(Mx);
        var dane = State(new TlsaAssociation(usage, 1, 1, TlsaMatcher.Associate(leaf, 1, 1)));

        TlsaMatcher.Match(dane, leaf, [], _now).Should().NotBeNull(reason);
    }

    [Theory]
    [InlineData(3, 2, 1, 32, false, "selector 2 is undefined")]
    [InlineData(3, 1, 3, 32, false, "matching type 3 is undefined")]
    [InlineData(3, 1, 1, 31, false, "a SHA-256 digest must be 32 octets")]
    [InlineData(3, 1, 2, 32, false, "a SHA-512 digest must be 64 octets")]
    [InlineData(4, 1, 1, 32, false, "usage 4 is undefined")]
    [InlineData(2, 0, 1, 32, true, "DANE-TA full certificate SHA-256")]
    [InlineData(3, 1, 0, 1, true, "exact match with any non-empty data")]
    public void IsUsable_Table(byte usage, byte selector, byte matching, int length, bool expected, string reason) =>
        new TlsaAssociation(usage, selector, matching, new byte[length]).IsUsable.Should().Be(expected, reason);

    [Fact]
    public void Match_DaneTaRootPresented_AuthenticatesMatchingName()
    {
        using var leaf = _ca.IssueFor(Mx);
        var dane = State(new TlsaAssociation(2, 0, 1, TlsaMatcher.Associate(_ca.Root, 0, 1)));

        TlsaMatcher.Match(dane, leaf, [Copy(_ca.Root)], _now).Should().BeNull("the presented root matches DANE-TA and the leaf names the MX");
    }

    [Fact]
    public void Match_DaneTaNextHopName_Authenticates()
    {
        // RFC 7672 §3.2.2: the next-hop domain is a reference identifier too.
        using var leaf = _ca.IssueFor("example.net");
        var dane = State(new TlsaAssociation(2, 1, 1, TlsaMatcher.Associate(_ca.Root, 1, 1)), Mx, "example.net");

        TlsaMatcher.Match(dane, leaf, [Copy(_ca.Root)], _now).Should().BeNull();
    }

    [Fact]
    public void Match_DaneTaWrongHost_CertificateHostMismatch()
    {
        using var leaf = _ca.IssueFor("other.example.org");
        var dane = State(new TlsaAssociation(2, 0, 1, TlsaMatcher.Associate(_ca.Root, 0, 1)));

        TlsaMatcher.Match(dane, leaf, [Copy(_ca.Root)], _now)!.ResultType.Should().Be("certificate-host-mismatch",
            "DANE-TA(2) keeps the name check, unlike DANE-EE(3)");
    }

    [Fact]
    public void Match_DaneTaExpiredLeaf_Fails()
    {
        using var leaf = _ca.IssueExpired(Mx);
        var dane = State(new TlsaAssociation(2, 0, 1, TlsaMatcher.Associate(_ca.Root, 0, 1)));

        TlsaMatcher.Match(dane, leaf, [Copy(_ca.Root)], _now).Should().NotBeNull("a DANE-TA(2) chain is validated at the current time");
    }

    [Fact]
    public void Match_DaneTaAnchorNotPresented_Fails()
    {
        using var leaf = _ca.IssueFor(Mx);
        var dane = State(new TlsaAssociation(2, 0, 1, TlsaMatcher.Associate(_ca.Root, 0, 1)));

        TlsaMatcher.Match(dane, leaf, [], _now)!.ResultType.Should().Be("tlsa-invalid", "the trust anchor must be in the chain the server sent");
    }

    [Fact]
    public void Match_DaneTaForOtherCa_Fails()
    {
        using var other = new TestCertificateAuthority("Other Root");
        using var leaf = _ca.IssueFor(Mx);
        var dane = State(new TlsaAssociation(2, 0, 1, TlsaMatcher.Associate(other.Root, 0, 1)));

        TlsaMatcher.Match(dane, leaf, [Copy(_ca.Root), Copy(other.Root)], _now).Should().NotBeNull("the leaf does not chain to the matching anchor");
    }

    [Fact]
    public void Match_DaneTaRecordMatchingTheLeafItself_Fails()
    {
        using var leaf = _ca.IssueFor(Mx);
        var dane = State(new TlsaAssociation(2, 0, 1, TlsaMatcher.Associate(leaf, 0, 1)));

        TlsaMatcher.Match(dane, leaf, [Copy(leaf)], _now).Should().NotBeNull("DANE-TA names an issuer, not the end-entity");
    }

    [Fact]
    public void Match_NoCertificate_TlsaInvalid()
    {
        var dane = State(new TlsaAssociation(3, 1, 1, new byte[32]));

        TlsaMatcher.Match(dane, null, [], _now)!.ResultType.Should().Be("tlsa-invalid");
    }

    [Fact]
    public void PolicyStrings_PresentationForm()
    {
        var dane = State(new TlsaAssociation(3, 1, 1, [0xAB, 0x01]));

        dane.PolicyStrings.Should().Equal("3 1 1 ab01");
    }

    public void Dispose() => _ca.Dispose();

    private static DaneState State(TlsaAssociation record, params string[] names) =>
        new(DnssecStatus.Secure, $"_25._tcp.{Mx}", [record], names.Length == 0 ? [Mx] : names);

    private static X509Certificate2 Copy(X509Certificate2 certificate) => X509CertificateLoader.LoadCertificate(certificate.RawData);
}
