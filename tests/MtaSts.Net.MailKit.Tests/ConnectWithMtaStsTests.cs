using MailKit.Net.Smtp;
using MtaSts.Demo;

namespace MtaSts.MailKit.Tests;

/// <summary>The SmtpClient hook on its own, without the direct sender.</summary>
public sealed class ConnectWithMtaStsTests : DemoWorldTest
{
    [Fact]
    public async Task Connect_EnforceUnlistedMx_ThrowsBeforeConnecting()
    {
        World.PublishPolicy("hook.test", "enforce", "mx.hook.test");
        var state = await Enforcer.GetPolicyAsync("hook.test");
        using var client = new SmtpClient();

        var act = () => client.ConnectWithMtaStsAsync(state, "other.hook.test", World.SmtpPort);

        var refused = (await act.Should().ThrowAsync<MtaStsDeliveryRefusedException>()).Which;
        refused.Decision.Failure!.Kind.Should().Be(MtaStsFailureKind.MxNotInPolicy);
        refused.Outcome.Should().BeNull("no connection was made");
        client.IsConnected.Should().BeFalse();
    }

    [Fact]
    public async Task Connect_TestingWithExpiredCertificate_AcceptsAndRecords()
    {
        World.PublishPolicy("hooktest.test", "testing", "mx.hooktest.test");
        await World.AddReceiverAsync("mx.hooktest.test", 40, World.Ca.IssueExpired("mx.hooktest.test"));
        var state = await Enforcer.GetPolicyAsync("hooktest.test");
        using var client = new SmtpClient();

        var outcome = await client.ConnectWithMtaStsAsync(state, "mx.hooktest.test", await ConnectedSocketAsync(40), World.SmtpPort, default);

        client.IsSecure.Should().BeTrue("testing mode accepts the certificate");
        outcome.IsEncrypted.Should().BeTrue();
        outcome.Decision.Verdict.Should().Be(MtaStsVerdict.DeliverAndReport);
        outcome.Decision.Failure!.ResultType.Should().Be("certificate-expired");
        await client.DisconnectAsync(true);
    }

    [Fact]
    public async Task Connect_NoPolicyWithUntrustedCertificate_OpportunisticTls()
    {
        using var stranger = new Testing.TestCertificateAuthority("Stranger CA");
        await World.AddReceiverAsync("mx.nopolicy.test", 41, stranger.IssueFor("mx.nopolicy.test"));
        var state = await Enforcer.GetPolicyAsync("nopolicy.test");
        using var client = new SmtpClient();

        var outcome = await client.ConnectWithMtaStsAsync(state, "mx.nopolicy.test", await ConnectedSocketAsync(41), World.SmtpPort, default);

        outcome.IsEncrypted.Should().BeTrue("without a policy any certificate is accepted (documented)");
        outcome.Decision.Verdict.Should().Be(MtaStsVerdict.Deliver);
        await client.DisconnectAsync(true);
    }

    [Fact]
    public async Task Connect_NoPolicyRequireValidCertificate_Refused()
    {
        using var stranger = new Testing.TestCertificateAuthority("Stranger CA");
        await World.AddReceiverAsync("mx.strict.test", 42, stranger.IssueFor("mx.strict.test"));
        var options = World.EnforcerOptions();
        options.RequireValidCertificateWithoutPolicy = true;
        using var strict = MtaStsEnforcer.Create(options);
        var state = await strict.GetPolicyAsync("strict.test");
        using var client = new SmtpClient();

        var act = async () => await client.ConnectWithMtaStsAsync(state, "mx.strict.test", await ConnectedSocketAsync(42), World.SmtpPort, default);

        (await act.Should().ThrowAsync<MtaStsDeliveryRefusedException>()).Which.Decision.Failure!.Kind.Should().Be(MtaStsFailureKind.CertificateNotTrusted);
    }

    private async Task<System.Net.Sockets.Socket> ConnectedSocketAsync(int last)
    {
        var socket = new System.Net.Sockets.Socket(System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp);
        await socket.ConnectAsync(DemoWorld.Address(last), World.SmtpPort);
        return socket;
    }
}
