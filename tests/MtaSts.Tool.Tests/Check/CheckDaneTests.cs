using System.Net;
using System.Text.Json;
using ARSoft.Tools.Net.Dns;
using MtaSts.Dane;
using MtaSts.Tool.Network;
using MtaSts.Tool.Tests.Infrastructure;

namespace MtaSts.Tool.Tests.Check;

/// <summary>
/// <c>mta-sts check --dane</c> against the loopback DNS server playing a validating resolver (AD for signed zones when
/// asked with the DO bit, SERVFAIL for a bogus name) and the loopback policy host.
/// </summary>
public sealed class CheckDaneTests : ToolWorldTest
{
    private const string DaneHost = "dane.example.com";
    private const string TlsaName = "_25._tcp." + DaneHost;

    // The policy lists mail.example.com only: without DANE, dane.example.com fails closed on the mx patterns (MX-1).
    private const string EnforcePolicy = "version: STSv1\nmode: enforce\nmx: mail.example.com\nmax_age: 86400\n";

    [Fact]
    public async Task Text_SignedMxWithTlsa_ShowsSecureRecordAndDecidedByDane()
    {
        var hex = PublishDaneMx(signed: true);

        var run = await World.RunAsync("check", "example.com", "--dane");

        run.Code.Should().Be(0, run.Stderr);
        run.Stderr.Should().NotContain("does not validate", "the loopback resolver authenticates the root");
        run.Stderr.Should().NotContain("not on this machine", "the resolver is on loopback");
        run.Stdout.Should().Contain("the MX RRset of example.com is DNSSEC-secure (AD)");
        run.Stdout.Should().Contain($"dane: secure, 3 1 1 {hex} at {TlsaName}; decided by DANE");
        // DANE-4: secure usable TLSA decides; the enforce policy's mx patterns, which miss this host, are not consulted.
        var line = run.Stdout.Split('\n').Single(l => l.Contains(DaneHost + " ", StringComparison.Ordinal) && !l.Contains("dane:", StringComparison.Ordinal));
        line.Should().Contain("deliver").And.NotContain("fail-closed");
    }

    [Fact]
    public async Task Json_SignedMxWithTlsa_DaneFieldsAndMechanismDane()
    {
        var hex = PublishDaneMx(signed: true);

        var run = await World.RunAsync("check", "example.com", "--dane", "--json");

        run.Code.Should().Be(0, run.Stderr);
        var root = run.Json();
        root.EnumerateObject().Select(p => p.Name).Should().Equal("domain", "record", "policy", "failure", "fail_closed", "dane", "mx");
        var dane = root.GetProperty("dane");
        dane.GetProperty("resolver").GetString().Should().Be(World.Dns.EndPoint.ToString());
        dane.GetProperty("resolver_validates").GetBoolean().Should().BeTrue();
        dane.GetProperty("mx_secure").GetBoolean().Should().BeTrue();
        var mx = root.GetProperty("mx")[0];
        mx.GetProperty("host").GetString().Should().Be(DaneHost);
        mx.GetProperty("verdict").GetString().Should().Be("deliver", "DANE-4: DANE decides, the mx patterns are not consulted");
        mx.GetProperty("mechanism").GetString().Should().Be("dane");
        var state = mx.GetProperty("dane");
        state.GetProperty("status").GetString().Should().Be("secure");
        state.GetProperty("tlsa_name").GetString().Should().Be(TlsaName);
        state.GetProperty("records").EnumerateArray().Select(r => r.GetString()).Should().Equal($"3 1 1 {hex}");
        state.GetProperty("usable").GetBoolean().Should().BeTrue();
    }

    [Fact]
    public async Task Text_UnsignedZone_InsecureWithReasonAndMtaStsDecides()
    {
        PublishDaneMx(signed: false);

        var run = await World.RunAsync("check", "example.com", "--dane");

        run.Code.Should().Be(0, "an MX refused by MTA-STS alone does not change the exit code");
        run.Stdout.Should().Contain("dane: insecure (the MX RRset is not DNSSEC-validated (RFC 7672 §2.2.1)); decided by MTA-STS");
        run.Stdout.Should().Contain("fail-closed", "without DANE the enforce policy's mx patterns decide (MX-1)");
        run.Stdout.Should().Contain("is not DNSSEC-secure (no AD)");
    }

    [Fact]
    public async Task Json_SignedZoneWithoutTlsa_SecureNoRecordsAndMtaStsDecides()
    {
        World.PublishPolicy("example.com", "1", EnforcePolicy);
        World.Dns.SetSigned("example.com");
        World.Dns.SetMx("example.com", (10, "mail.example.com"));
        World.Dns.SetA("mail.example.com", World.NextAddress());

        var run = await World.RunAsync("check", "example.com", "--dane", "--json");

        run.Code.Should().Be(0, run.Stderr);
        var mx = run.Json().GetProperty("mx")[0];
        mx.GetProperty("mechanism").GetString().Should().Be("mta-sts");
        mx.GetProperty("verdict").GetString().Should().Be("deliver");
        mx.GetProperty("dane").GetProperty("status").GetString().Should().Be("secure");
        mx.GetProperty("dane").GetProperty("records").GetArrayLength().Should().Be(0);
        mx.GetProperty("dane").GetProperty("usable").GetBoolean().Should().BeFalse();
    }

    [Fact]
    public async Task Text_BogusTlsa_BogusFailClosedByDaneAndExitsOne()
    {
        // DANE-5: the TLSA lookup SERVFAILs at the validating resolver; MTA-STS (which lists the host) cannot rescue it.
        World.PublishPolicy("example.com", "1", "version: STSv1\nmode: enforce\nmx: dane.example.com\nmax_age: 86400\n");
        World.Dns.SetSigned("example.com");
        World.Dns.SetMx("example.com", (10, DaneHost));
        World.Dns.SetA(DaneHost, World.NextAddress());
        World.Dns.SetBogus(TlsaName);

        var run = await World.RunAsync("check", "example.com", "--dane");

        run.Code.Should().Be(1, "a DANE-decided MX that fails closed counts like a failed discovery");
        run.Stdout.Should().Contain("dane: bogus (SERVFAIL from the validating resolver); decided by DANE: this MX is not used");
        run.Stdout.Should().Contain("fail-closed").And.Contain("dnssec-invalid");

        var withoutDane = await World.RunAsync("check", "example.com");
        withoutDane.Code.Should().Be(0, "without --dane the same domain delivers by MTA-STS: the exit code comes from DANE");
    }

    [Fact]
    public async Task Stderr_ResolverDoesNotValidate_WarnsOnce()
    {
        PublishDaneMx(signed: true);
        World.Dns.AuthenticatesRoot = false;

        var run = await World.RunAsync("check", "example.com", "--dane", "--json");

        run.Stderr.Should().Contain($"the resolver {World.Dns.EndPoint} does not validate DNSSEC (no AD for the signed root): every DANE state will read insecure; use a validating resolver such as a local unbound");
        World.Dns.Queries("").Should().Be(1, "the root is asked once, before the lookups");
        run.Json().GetProperty("dane").GetProperty("resolver_validates").GetBoolean().Should().BeFalse();
    }

    [Fact]
    public void RemoteServers_OnlyTheResolversOffLoopback()
    {
        // RFC 7672 §2.1: the AD bit of a resolver off this machine crosses the network unprotected; --dane notes it on
        // stderr. Built, never asked: 192.0.2.1 (TEST-NET-1) gets no packet.
        var dns = new ToolDns([World.Dns.EndPoint, new IPEndPoint(IPAddress.Parse("192.0.2.1"), 53),
            new IPEndPoint(IPAddress.IPv6Loopback, 53)], TimeSpan.FromSeconds(1));

        dns.WithDnssec().RemoteServers.Should().Be("192.0.2.1:53");
        new ToolDns([World.Dns.EndPoint], TimeSpan.FromSeconds(1)).RemoteServers.Should().BeEmpty();
    }

    [Fact]
    public async Task WithoutDane_NoDnssecQueriesAndNoDaneFields()
    {
        PublishDaneMx(signed: true);

        var run = await World.RunAsync("check", "example.com", "--json");

        run.Code.Should().Be(0, run.Stderr);
        World.Dns.DnssecQueries.Should().Be(0, "without --dane nothing is asked with the DO bit");
        World.Dns.Queries("").Should().Be(0, "nor is the resolver's validation checked");
        World.Dns.Queries(TlsaName).Should().Be(0);
        run.Json().TryGetProperty("dane", out _).Should().BeFalse();
        run.Json().GetProperty("mx")[0].TryGetProperty("mechanism", out _).Should().BeFalse();

        await World.RunAsync("check", "example.com", "--json", "--dane");
        World.Dns.DnssecQueries.Should().BeGreaterThan(0, "the same run with --dane asks with the DO bit (the counter works)");
    }

    [Fact]
    public async Task Text_GivenMxInTheSecureRrset_LooksItUp()
    {
        var hex = PublishDaneMx(signed: true);

        var run = await World.RunAsync("check", "example.com", "--dane", "--mx", DaneHost);

        run.Code.Should().Be(0, run.Stderr);
        World.Dns.Queries("example.com").Should().Be(1, "the MX RRset is asked for its AD bit even with --mx (RFC 7672 §2.2.1)");
        run.Stdout.Should().Contain($"dane: secure, 3 1 1 {hex}");
    }

    [Fact]
    public async Task Text_GivenMxNotInTheRrset_DaneDoesNotApplyAndSaysWhy()
    {
        PublishDaneMx(signed: true);
        World.Dns.SetA("other.example.com", World.NextAddress());
        World.Dns.SetTlsa("_25._tcp.other.example.com", (3, 1, 1, new byte[32]));

        var run = await World.RunAsync("check", "example.com", "--dane", "--mx", "other.example.com");

        run.Stdout.Should().Contain("dane: does not apply (other.example.com is not in the MX RRset of example.com (dane.example.com)");
        run.Stdout.Should().Contain("decided by MTA-STS");
        World.Dns.Queries("_25._tcp.other.example.com").Should().Be(0, "no TLSA lookup for a host DANE does not apply to");
    }

    [Fact]
    public async Task Json_GivenMxAndMxLookupFails_IndeterminateAndExitsOne()
    {
        // DANE-5: whether the MX RRset is signed is unknown, so DANE may apply: never read as insecure.
        World.PublishPolicy("example.com", "1", EnforcePolicy);
        World.Dns.SetSigned("example.com");
        World.Dns.SetReturnCode("example.com", ReturnCode.ServerFailure);

        var run = await World.RunAsync("check", "example.com", "--dane", "--json", "--mx", "mail.example.com");

        run.Code.Should().Be(1);
        var root = run.Json();
        root.GetProperty("dane").GetProperty("mx_secure").ValueKind.Should().Be(JsonValueKind.Null);
        var mx = root.GetProperty("mx")[0];
        mx.GetProperty("dane").GetProperty("status").GetString().Should().Be("indeterminate");
        mx.GetProperty("mechanism").GetString().Should().Be("dane");
        mx.GetProperty("verdict").GetString().Should().Be("fail-closed");
    }

    [Theory]
    [InlineData("")]                 // the resolver check (root SOA)
    [InlineData(DaneHost)]           // the address lookup of the MX host
    [InlineData(TlsaName)]           // the TLSA lookup
    public async Task Interrupted_DuringADaneQuery_ExitsInterrupted(string slowName)
    {
        PublishDaneMx(signed: true);
        World.Dns.SetDelay(slowName, TimeSpan.FromSeconds(4));
        using var interrupt = new CancellationTokenSource();
        var errors = new StringWriter();
        List<string> args = ["check", .. World.WorldOptions("check"), "example.com", "--dane"];
        var run = ToolApp.RunAsync([.. args], new StringWriter(), errors, cancellationToken: interrupt.Token);
        for (var i = 0; i < 200 && World.Dns.Queries(slowName) == 0; i++)
        {
            await Task.Delay(50);
        }

        World.Dns.Queries(slowName).Should().BeGreaterThan(0, "the run reached the slow question");
        await interrupt.CancelAsync();
        (await run).Should().Be(130, "Ctrl+C is an interruption, not a crash (DnsClient reports cancellation as a timeout)");
        errors.ToString().Should().Contain("interrupted");
    }

    [Theory]
    [InlineData("audit|example.com|--dane")]     // only check takes --dane
    [InlineData("generate|--mx|a.example|--dane")]
    public async Task Dane_OnOtherCommands_IsAUsageError(string joined)
    {
        var output = new StringWriter();
        var errors = new StringWriter();
        (await ToolApp.RunAsync(joined.Split('|'), output, errors)).Should().Be(2);
        errors.ToString().Should().Contain("unknown option").And.Contain("--dane");
    }

    // An enforce policy that does not list dane.example.com, the MX dane.example.com with an address and a DANE-EE(3)
    // SPKI SHA-256 record of a certificate from the test CA; the zone signed or not. Returns the record's hex.
    private string PublishDaneMx(bool signed)
    {
        World.PublishPolicy("example.com", "1", EnforcePolicy);
        if (signed)
        {
            World.Dns.SetSigned("example.com");
        }

        World.Dns.SetMx("example.com", (10, DaneHost));
        World.Dns.SetA(DaneHost, World.NextAddress());
        using var certificate = World.Ca.IssueFor(DaneHost);
        var data = TlsaMatcher.Associate(certificate, selector: 1, matchingType: 1);
        World.Dns.SetTlsa(TlsaName, (3, 1, 1, data));
        return Convert.ToHexStringLower(data);
    }
}
