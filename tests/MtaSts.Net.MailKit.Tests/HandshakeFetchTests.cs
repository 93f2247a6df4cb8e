using System.Diagnostics;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using MailKit.Net.Smtp;
using MtaSts.Demo;
using MtaSts.MailKit.Delivery;
using MtaSts.MailKit.Internal;

namespace MtaSts.MailKit.Tests;

/// <summary>
/// Hardening: validating an MX certificate never goes to the network (no AIA download, no CRL or OCSP fetch) unless
/// revocation checking is asked for (CERT-11 is a MAY). The MX certificate names URLs on a loopback trap that records
/// and stalls every request; the server sends the leaf alone, so a client that downloads intermediates would go there.
/// </summary>
public sealed class HandshakeFetchTests : DemoWorldTest
{
    private static readonly TimeSpan NoStall = TimeSpan.FromSeconds(10); // a fetch to the trap stalls ~15 s; slack for a loaded machine

    [Fact]
    public async Task Send_CertificateWithFetchUrls_NoFetchAndNoStall()
    {
        await using var trap = new FetchTrap();
        World.PublishPolicy("fetch.test", "enforce", "mx.fetch.test");
        World.Dns.SetMx("fetch.test", (10, "mx.fetch.test"));
        World.Dns.SetA("mx.fetch.test", DemoWorld.Address(50));
        await using var mx = new ScriptedSmtpServer(new IPEndPoint(DemoWorld.Address(50), World.SmtpPort), World.Ca.IssueWithFetchUrls("mx.fetch.test", trap.BaseUri));

        var clock = Stopwatch.StartNew();
        var result = await SendAsync("fetch.test");

        result.Status.Should().Be(MtaStsDeliveryStatus.Delivered, result.Reason);
        result.DeliveredVia!.IsEncrypted.Should().BeTrue();
        trap.Requests.Should().BeEmpty("the sender must not fetch AIA/CRL/OCSP URLs chosen by the MX");
        clock.Elapsed.Should().BeLessThan(NoStall);
    }

    [Fact]
    public async Task Connect_MtaStsSmtpClientAndCertificateWithFetchUrls_NoFetchAndNoStall()
    {
        await using var trap = new FetchTrap();
        World.PublishPolicy("fetch2.test", "enforce", "mx.fetch2.test");
        await using var mx = new ScriptedSmtpServer(new IPEndPoint(DemoWorld.Address(51), World.SmtpPort), World.Ca.IssueWithFetchUrls("mx.fetch2.test", trap.BaseUri));
        var state = await Enforcer.GetPolicyAsync("fetch2.test");
        using var client = new MtaStsSmtpClient();

        var clock = Stopwatch.StartNew();
        var outcome = await client.ConnectWithMtaStsAsync(state, "mx.fetch2.test", await ConnectedSocketAsync(51), World.SmtpPort, default);

        outcome.Decision.Verdict.Should().Be(MtaStsVerdict.Deliver, outcome.Decision.Failure?.ToString());
        trap.Requests.Should().BeEmpty();
        clock.Elapsed.Should().BeLessThan(NoStall);
        await client.DisconnectAsync(true);
    }

    [Fact]
    public async Task Connect_PlainSmtpClient_NoRevocationCheckDuringHandshakeAndSettingRestored()
    {
        World.PublishPolicy("revoke.test", "enforce", "mx.revoke.test");
        await World.AddReceiverAsync("mx.revoke.test", 52, World.Ca.IssueFor("mx.revoke.test"));
        var state = await Enforcer.GetPolicyAsync("revoke.test");
        using var client = new OptionsProbe();
        client.CheckCertificateRevocation.Should().BeTrue("MailKit's default, which ConnectWithMtaStsAsync must not use");

        await client.ConnectWithMtaStsAsync(state, "mx.revoke.test", await ConnectedSocketAsync(52), World.SmtpPort, default);

        client.Seen!.CertificateRevocationCheckMode.Should().Be(X509RevocationMode.NoCheck, "CERT-11 revocation is a MAY; the MX must not steer fetches");
        client.CheckCertificateRevocation.Should().BeTrue("the caller's setting is restored");
        await client.DisconnectAsync(true);
    }

    [Theory]
    [InlineData(false, X509RevocationMode.NoCheck)] // the default: nothing fetched
    [InlineData(true, X509RevocationMode.Online)]   // the documented opt-in (CERT-11)
    public void MtaStsSmtpClient_HandshakePolicy_NoDownloadsServerAuthAndRevocationOnlyOnRequest(bool revocation, X509RevocationMode expected)
    {
        using var client = new MtaStsClientProbe { CheckMxCertificateRevocation = revocation, Timeout = 4000 };

        var policy = client.Options("mx.example.test").CertificateChainPolicy!;

        policy.DisableCertificateDownloads.Should().BeTrue();
        policy.RevocationMode.Should().Be(expected);
        policy.ApplicationPolicy.Cast<System.Security.Cryptography.Oid>().Select(o => o.Value).Should().Equal(MxChainPolicy.ServerAuthOid);
        policy.UrlRetrievalTimeout.Should().Be(TimeSpan.FromSeconds(4), "each fetch is bounded by the client's timeout");
    }

    private async Task<Socket> ConnectedSocketAsync(int last)
    {
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(DemoWorld.Address(last), World.SmtpPort);
        return socket;
    }

    // A plain SmtpClient that shows the handshake options MailKit builds from its settings.
    private sealed class OptionsProbe : SmtpClient
    {
        public SslClientAuthenticationOptions? Seen { get; private set; }

        protected override SslClientAuthenticationOptions GetSslClientAuthenticationOptions(string host, RemoteCertificateValidationCallback remoteCertificateValidationCallback) =>
            Seen = base.GetSslClientAuthenticationOptions(host, remoteCertificateValidationCallback);
    }

    private sealed class MtaStsClientProbe : MtaStsSmtpClient
    {
        public SslClientAuthenticationOptions Options(string host) => GetSslClientAuthenticationOptions(host, (_, _, _, _) => false);
    }
}
