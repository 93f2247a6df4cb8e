using System.Net;
using MtaSts.Testing;
using MtaSts.Tool.Tests.Infrastructure;

namespace MtaSts.Tool.Tests.Postfix;

/// <summary>
/// Debian's Postfix with the daemon as <c>smtp_tls_policy_maps</c>, delivering to loopback SMTP listeners: an
/// <c>enforce</c> policy and a valid certificate deliver over verified TLS; an on-path attacker stripping STARTTLS
/// gets the message deferred (RFC 8461 §5, CERT-1). Each test is bounded to a minute.
/// </summary>
public sealed class PostfixEndToEndTests : ToolWorldTest
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Enforce_ValidCertificate_DeliversOverVerifiedTls()
    {
        World.PublishPolicy("example.com", "1", ToolWorld.CleanPolicy());
        var address = World.NextAddress();
        await using var receiver = await LoopbackSmtpReceiver.StartAsync(address, World.SmtpPort, "mail.example.com", World.Ca.IssueFor("mail.example.com"));
        var log = new CapturedLog();
        await using var daemon = await RunningDaemon.StartAsync(World, log);
        await using var postfix = await PrivatePostfix.StartAsync(daemon.Tcp.Port, World.SmtpPort, World.CaFile,
            new Dictionary<string, IPAddress> { ["example.com"] = address });

        await postfix.SendAsync("sender@sender.test", "user@example.com");
        var maillog = await postfix.WaitForLogAsync(l => l.Contains("to=<user@example.com>", StringComparison.Ordinal), Limit);

        maillog.Should().Contain("status=sent");
        maillog.Should().Contain("Verified TLS connection established to example.com", "the secure level checked the certificate against match=");
        receiver.Messages.Should().ContainSingle().Which.OverTls.Should().BeTrue();
        log.Lines.Should().Contain(l => l.StartsWith("postfix example.com: mode Enforce", StringComparison.Ordinal),
            "Postfix asks the socketmap with the map name and the bare next-hop domain");
    }

    [Fact]
    public async Task Enforce_StartTlsStripped_Defers()
    {
        World.PublishPolicy("stripped.test", "1", ToolWorld.CleanPolicy("stripped.test"));
        var upstream = World.NextAddress();
        await using var receiver = await LoopbackSmtpReceiver.StartAsync(upstream, World.SmtpPort, "mail.stripped.test", World.Ca.IssueFor("mail.stripped.test"));
        var attacker = World.NextAddress();
        await using var proxy = new StartTlsStrippingProxy(new IPEndPoint(attacker, World.SmtpPort), receiver.EndPoint);
        await using var daemon = await RunningDaemon.StartAsync(World);
        await using var postfix = await PrivatePostfix.StartAsync(daemon.Tcp.Port, World.SmtpPort, World.CaFile,
            new Dictionary<string, IPAddress> { ["stripped.test"] = attacker });

        await postfix.SendAsync("sender@sender.test", "user@stripped.test");
        var maillog = await postfix.WaitForLogAsync(l => l.Contains("to=<user@stripped.test>", StringComparison.Ordinal), Limit);

        maillog.Should().Contain("status=deferred", "enforce requires STARTTLS; the message waits for a retry");
        maillog.Should().Contain("TLS is required, but was not offered");
        proxy.Rewrites.Should().BeGreaterThan(0, "the attacker did strip STARTTLS");
        receiver.Messages.Should().BeEmpty("nothing went out in plain text");
    }
}
