using System.Net.Security;
using System.Net.Sockets;
using MailKit.Net.Smtp;
using MailKit.Security;
using MtaSts.Demo;
using MtaSts.Testing;

namespace MtaSts.MailKit.Tests;

/// <summary>
/// Hardening: ConnectWithMtaStsAsync borrows the caller's SmtpClient. Its certificate callback and TLS settings are
/// restored whatever happens, so a later connection on the same client validates certificates as it did before
/// (here: MailKit's default callback rejects a certificate from a CA the machine does not trust, which the MTA-STS
/// callback would accept: the world's CA is trusted by the enforcer only).
/// </summary>
public sealed class ClientSettingsRestoredTests : DemoWorldTest
{
    private TestCertificateAuthority _stranger = null!;

    public override async Task DisposeAsync()
    {
        _stranger?.Dispose();
        await base.DisposeAsync();
    }

    [Fact]
    public async Task Baseline_FreshClient_RejectsUntrustedCertificate()
    {
        using var client = new SmtpClient();
        await SetUpAsync("testing");

        await AssertLaterConnectionRejectedAsync(client); // what the tests below expect after an MTA-STS session
    }

    [Fact]
    public async Task Connect_AfterAcceptedSession_LaterConnectionRejectsUntrustedCertificate()
    {
        using var client = new SmtpClient();
        var state = await SetUpAsync("testing");

        await client.ConnectWithMtaStsAsync(state, "mx.reuse.test", await ConnectedSocketAsync(53), World.SmtpPort, default);
        client.IsSecure.Should().BeTrue("testing mode accepted the stranger's certificate for this session");
        await client.DisconnectAsync(true);

        await AssertLaterConnectionRejectedAsync(client);
    }

    [Fact]
    public async Task Connect_AfterRefusal_LaterConnectionRejectsUntrustedCertificate()
    {
        using var client = new SmtpClient();
        var state = await SetUpAsync("enforce");

        var refused = async () => await client.ConnectWithMtaStsAsync(state, "mx.reuse.test", await ConnectedSocketAsync(53), World.SmtpPort, default);
        await refused.Should().ThrowAsync<MtaStsDeliveryRefusedException>();

        await AssertLaterConnectionRejectedAsync(client);
    }

    [Fact]
    public async Task Connect_Cancelled_CallerCallbackAndRevocationSettingRestored()
    {
        RemoteCertificateValidationCallback mine = (_, _, _, _) => false;
        using var client = new SmtpClient { ServerCertificateValidationCallback = mine, CheckCertificateRevocation = true };
        var state = await SetUpAsync("testing");
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();

        var act = async () => await client.ConnectWithMtaStsAsync(state, "mx.reuse.test", await ConnectedSocketAsync(53), World.SmtpPort, cancelled.Token);

        await act.Should().ThrowAsync<OperationCanceledException>();
        client.ServerCertificateValidationCallback.Should().BeSameAs(mine);
        client.CheckCertificateRevocation.Should().BeTrue();
    }

    [Fact]
    public async Task Connect_Succeeded_CallerCallbackRestored()
    {
        RemoteCertificateValidationCallback mine = (_, _, _, _) => false;
        using var client = new SmtpClient { ServerCertificateValidationCallback = mine };
        var state = await SetUpAsync("testing");

        await client.ConnectWithMtaStsAsync(state, "mx.reuse.test", await ConnectedSocketAsync(53), World.SmtpPort, default);

        client.ServerCertificateValidationCallback.Should().BeSameAs(mine);
        await client.DisconnectAsync(true);
    }

    private async Task<MtaStsPolicyState> SetUpAsync(string mode)
    {
        _stranger = new TestCertificateAuthority("Stranger CA");
        World.PublishPolicy("reuse.test", mode, "mx.reuse.test");
        await World.AddReceiverAsync("mx.reuse.test", 53, _stranger.IssueFor("mx.reuse.test")); // refused under enforce
        await World.AddReceiverAsync("later.reuse.test", 63, World.Ca.IssueFor("mx.reuse.test")); // valid for MTA-STS, unknown to the machine
        return await Enforcer.GetPolicyAsync("reuse.test");
    }

    // As before the MTA-STS session: MailKit's own validation, which rejects a certificate from a CA the machine does not trust.
    private async Task AssertLaterConnectionRejectedAsync(SmtpClient client)
    {
        var later = async () => await client.ConnectAsync(await ConnectedSocketAsync(63), "mx.reuse.test", World.SmtpPort, SecureSocketOptions.StartTls);
        await later.Should().ThrowAsync<SslHandshakeException>("the MTA-STS callback must not outlive its session");
        client.IsConnected.Should().BeFalse();
    }

    private async Task<Socket> ConnectedSocketAsync(int last)
    {
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(DemoWorld.Address(last), World.SmtpPort);
        return socket;
    }
}
