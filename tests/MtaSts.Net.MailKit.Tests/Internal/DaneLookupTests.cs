using System.Net;
using ARSoft.Tools.Net.Dns;
using MtaSts.Dane;
using MtaSts.MailKit.Internal;
using MtaSts.Testing;

namespace MtaSts.MailKit.Tests.Internal;

/// <summary>RFC 7672 §2.2 lookups over real DNS: the loopback server plays a validating resolver (AD for signed zones).</summary>
public sealed class DaneLookupTests : IDisposable
{
    private static readonly byte[] Digest = new byte[32];
    private readonly LoopbackDnsServer _dns = LoopbackDnsServer.Start();

    public DaneLookupTests()
    {
        _dns.SetSigned("signed.test");
        _dns.SetA("mx.signed.test", IPAddress.Parse("127.0.0.91"));
        _dns.SetA("mx.unsigned.test", IPAddress.Parse("127.0.0.92"));
    }

    public void Dispose() => _dns.Dispose();

    [Fact]
    public async Task Lookup_SignedTlsa_SecureWithRecords()
    {
        _dns.SetTlsa("_25._tcp.mx.signed.test", (3, 1, 1, Digest), (2, 0, 1, Digest));

        var state = await Lookup("mx.signed.test", mxSecure: true);

        state.Status.Should().Be(DnssecStatus.Secure);
        state.HasUsableRecords.Should().BeTrue("both records are DANE usages");
        state.PolicyStrings.Should().HaveCount(2);
        state.ReferenceNames.Should().Equal("mx.signed.test", "signed.test");
        _dns.DnssecQueries.Should().BeGreaterThan(0, "the DO bit is set on every query (RFC 7672 §2.1)");
    }

    [Fact]
    public async Task Lookup_InsecureMx_NoTlsaQuery()
    {
        _dns.SetTlsa("_25._tcp.mx.signed.test", (3, 1, 1, Digest));

        var state = await Lookup("mx.signed.test", mxSecure: false);

        state.Status.Should().Be(DnssecStatus.Insecure, "RFC 7672 §2.2.1 an insecure MX RRset turns DANE off");
        _dns.Queries("_25._tcp.mx.signed.test").Should().Be(0);
    }

    [Fact]
    public async Task Lookup_UnsignedAddress_Insecure()
    {
        _dns.SetTlsa("_25._tcp.mx.unsigned.test", (3, 1, 1, Digest));

        var state = await Lookup("mx.unsigned.test", mxSecure: true);

        state.Status.Should().Be(DnssecStatus.Insecure, "RFC 7672 §2.2.2 the address records must be secure too");
        _dns.Queries("_25._tcp.mx.unsigned.test").Should().Be(0);
    }

    [Fact]
    public async Task Lookup_SignedNoTlsa_SecureWithoutRecords()
    {
        var state = await Lookup("mx.signed.test", mxSecure: true);

        state.Status.Should().Be(DnssecStatus.Secure, "a validated denial of existence");
        state.Records.Should().BeEmpty();
        state.HasUsableRecords.Should().BeFalse("DANE does not apply; MTA-STS decides (DANE-4)");
    }

    [Fact]
    public async Task Lookup_ServFail_Bogus()
    {
        _dns.SetBogus("_25._tcp.mx.signed.test");

        var state = await Lookup("mx.signed.test", mxSecure: true);

        state.Status.Should().Be(DnssecStatus.Bogus);
        state.LookupFailed.Should().BeTrue("RFC 7672 §2.2 a failed TLSA lookup never downgrades");
    }

    [Fact]
    public async Task Lookup_AddressLookupsUnanswered_IndeterminateNotInsecure()
    {
        _dns.SetTlsa("_25._tcp.mx.signed.test", (3, 1, 1, Digest));
        _dns.SetBogus("mx.signed.test"); // A and AAAA: SERVFAIL (an on-path attacker dropping or breaking them)

        var state = await Lookup("mx.signed.test", mxSecure: true);

        state.Status.Should().Be(DnssecStatus.Indeterminate, "unanswered address lookups must not switch DANE off (RFC 7672 §2.2)");
        state.LookupFailed.Should().BeTrue("the host is unusable rather than left to MTA-STS alone");
    }

    [Fact]
    public async Task Lookup_Refused_Indeterminate()
    {
        _dns.SetReturnCode("_25._tcp.mx.signed.test", ReturnCode.Refused);

        var state = await Lookup("mx.signed.test", mxSecure: true);

        state.Status.Should().Be(DnssecStatus.Indeterminate);
        state.LookupFailed.Should().BeTrue();
    }

    [Fact]
    public async Task Lookup_NoAnswerInTime_Indeterminate()
    {
        _dns.SetDelay("_25._tcp.mx.signed.test", TimeSpan.FromSeconds(3));

        var state = await Lookup("mx.signed.test", mxSecure: true);

        state.Status.Should().Be(DnssecStatus.Indeterminate, "a timeout for a name under a signed zone is not 'insecure'");
    }

    [Fact]
    public async Task Lookup_SignedCname_TlsaAtExpandedNameFirst()
    {
        _dns.SetCname("alias.signed.test", "mx.signed.test");
        _dns.SetTlsa("_25._tcp.mx.signed.test", (3, 1, 1, Digest));
        _dns.SetTlsa("_25._tcp.alias.signed.test", (2, 1, 1, Digest));

        var state = await Lookup("alias.signed.test", mxSecure: true);

        state.TlsaName.Should().Be("_25._tcp.mx.signed.test", "RFC 7672 §2.2.3 the CNAME-expanded name is the TLSA base domain first");
        state.ReferenceNames.Should().Contain(["mx.signed.test", "alias.signed.test"]);
    }

    [Fact]
    public async Task Lookup_SignedCnameWithoutTlsaAtTarget_FallsBackToOriginalName()
    {
        _dns.SetCname("alias.signed.test", "mx.signed.test");
        _dns.SetTlsa("_25._tcp.alias.signed.test", (3, 1, 1, Digest));

        var state = await Lookup("alias.signed.test", mxSecure: true);

        state.TlsaName.Should().Be("_25._tcp.alias.signed.test");
        state.HasUsableRecords.Should().BeTrue();
    }

    [Fact]
    public async Task Lookup_CnameIntoUnsignedZone_Insecure()
    {
        _dns.SetCname("alias.signed.test", "mx.unsigned.test");
        _dns.SetTlsa("_25._tcp.mx.unsigned.test", (3, 1, 1, Digest));

        var state = await Lookup("alias.signed.test", mxSecure: true);

        state.Status.Should().Be(DnssecStatus.Insecure, "one unsigned link in the CNAME chain makes the address insecure");
    }

    [Fact]
    public async Task ResolverCheck_ValidatingResolver_SetsAdForTheRoot()
    {
        (await Client().ResolverSetsAdAsync(default)).Should().BeTrue("the loopback resolver validates: the signed root comes back with AD");
    }

    [Fact]
    public async Task ResolverCheck_ResolverWithoutValidation_IsCaught()
    {
        _dns.AuthenticatesRoot = false;

        (await Client().ResolverSetsAdAsync(default)).Should().BeFalse("no AD on the root means no DNSSEC validation: DANE would never apply");
    }

    [Fact]
    public async Task ResolverCheck_Unanswered_IsUnknown()
    {
        _dns.SetReturnCode(string.Empty, ARSoft.Tools.Net.Dns.ReturnCode.Refused);

        (await Client().ResolverSetsAdAsync(default)).Should().BeNull("a refused question says nothing about validation");
    }

    [Fact]
    public async Task Lookup_ALookupFailsAndAaaaHasNone_IndeterminateNotInsecure()
    {
        // DANE-5: an attacker who breaks only the A answer of an IPv4-only MX must not switch DANE off.
        _dns.SetSigned("signed.test");
        _dns.SetA("mx.signed.test", IPAddress.Loopback);
        _dns.SetTlsa("_25._tcp.mx.signed.test", (3, 1, 1, Digest));
        _dns.SetReturnCode("mx.signed.test", ARSoft.Tools.Net.Dns.RecordType.A, ARSoft.Tools.Net.Dns.ReturnCode.ServerFailure);

        var state = await Lookup("mx.signed.test", mxSecure: true);

        state.Status.Should().Be(DnssecStatus.Indeterminate, "the A lookup failed and the AAAA answer has no address: whether the host is signed is unknown");
        state.LookupFailed.Should().BeTrue();
    }

    [Theory]
    [InlineData("")]                          // the resolver check's root question
    [InlineData("mx.signed.test")]            // an address question
    [InlineData("_25._tcp.mx.signed.test")]   // the TLSA question
    public async Task Cancelled_DuringAQuestion_ThrowsCancellationNotADnsError(string slowName)
    {
        _dns.SetSigned("signed.test");
        _dns.SetA("mx.signed.test", IPAddress.Loopback);
        _dns.SetDelay(slowName, TimeSpan.FromSeconds(3));
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));

        Func<Task> act = slowName.Length == 0
            ? () => Client().ResolverSetsAdAsync(cancel.Token)
            : () => Client().LookupAsync("mx.signed.test", "signed.test", mxSecure: true, cancel.Token);

        await act.Should().ThrowAsync<OperationCanceledException>("DnsClient reports a cancelled query as DnsResponseException; the caller asked to stop");
    }

    private DaneLookup Client() =>
        new(DaneLookup.WithDnssec(new DnsClient.LookupClient(new DnsClient.LookupClientOptions(_dns.EndPoint) { Timeout = TimeSpan.FromSeconds(1) })));

    private Task<DaneState> Lookup(string host, bool mxSecure)
    {
        return Client().LookupAsync(host, "signed.test", mxSecure, default);
    }
}
