using MailKit.Net.Smtp;
using MtaSts.Demo;

namespace MtaSts.MailKit.Tests;

/// <summary>The SmtpClient hook on its own, without the direct sender.</summary>
public sealed class ConnectWithMtaStsTests : IAsyncLifetime
{
    private DemoWorld _world = null!;
    private MtaStsEnforcer _enforcer = null!;

    public async Task InitializeAsync()
    {
        _world = await DemoWorld.StartAsync();
        _enforcer = MtaStsEnforcer.Create(_world.EnforcerOptions());
    }

    public async Task DisposeAsync()
    {
        _enforcer.Dispose();
        await _world.DisposeAsync();
    }

    [Fact]
    public async Task Connect_EnforceUnlistedMx_ThrowsBeforeConnecting()
    {
        _world.PublishPolicy("hook.test", "enforce", "mx.hook.test");
        var state = await _enforcer.GetPolicyAsync("hook.test");
        using var client = new SmtpClient();

        var act = () => client.ConnectWithMtaStsAsync(state, "other.hook.test", _world.SmtpPort);

        var refused = (await act.Should().ThrowAsync<MtaStsDeliveryRefusedException>()).Which;
        refused.Decision.Failure!.Kind.Should().Be(MtaStsFailureKind.MxNotInPolicy);
        refused.Outcome.Should().BeNull("no connection was made");
        refused.IsTemporary.Should().BeTrue();
        client.IsConnected.Should().BeFalse();
    }

    [Fact]
    public async Task Connect_TestingWithExpiredCertificate_AcceptsAndRecords()
    {
        _world.PublishPolicy("hooktest.test", "testing", "mx.hooktest.test");
        await _world.AddReceiverAsync("mx.hooktest.test", 40, _world.Ca.IssueExpired("mx.hooktest.test"));
        var state = await _enforcer.GetPolicyAsync("hooktest.test");
        using var client = new SmtpClient();

        var outcome = await client.ConnectWithMtaStsAsync(state, "mx.hooktest.test", await ConnectedSocketAsync(40), _world.SmtpPort, default);

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
        await _world.AddReceiverAsync("mx.nopolicy.test", 41, stranger.IssueFor("mx.nopolicy.test"));
        var state = await _enforcer.GetPolicyAsync("nopolicy.test");
        using var client = new SmtpClient();

        var outcome = await client.ConnectWithMtaStsAsync(state, "mx.nopolicy.test", await ConnectedSocketAsync(41), _world.SmtpPort, default);

        outcome.IsEncrypted.Should().BeTrue("without a policy any certificate is accepted (documented)");
        outcome.Decision.Verdict.Should().Be(MtaStsVerdict.Deliver);
        await client.DisconnectAsync(true);
    }

    [Fact]
    public async Task Connect_NoPolicyRequireValidCertificate_Refused()
    {
        using var stranger = new Testing.TestCertificateAuthority("Stranger CA");
        await _world.AddReceiverAsync("mx.strict.test", 42, stranger.IssueFor("mx.strict.test"));
        var options = _world.EnforcerOptions();
        options.RequireValidCertificateWithoutPolicy = true;
        using var strict = MtaStsEnforcer.Create(options);
        var state = await strict.GetPolicyAsync("strict.test");
        using var client = new SmtpClient();

        var act = async () => await client.ConnectWithMtaStsAsync(state, "mx.strict.test", await ConnectedSocketAsync(42), _world.SmtpPort, default);

        (await act.Should().ThrowAsync<MtaStsDeliveryRefusedException>()).Which.Decision.Failure!.Kind.Should().Be(MtaStsFailureKind.CertificateNotTrusted);
    }

    private async Task<System.Net.Sockets.Socket> ConnectedSocketAsync(int last)
    {
        var socket = new System.Net.Sockets.Socket(System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp);
        await socket.ConnectAsync(DemoWorld.Address(last), _world.SmtpPort);
        return socket;
    }
}
