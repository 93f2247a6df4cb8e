using System.Net;
using MimeKit;
using MtaSts.Dane;
using MtaSts.Demo;
using MtaSts.MailKit.Delivery;

namespace MtaSts.MailKit.Tests;

/// <summary>
/// REQUIRETLS (RFC 8689 §4, RT-1): a flagged message goes only over TLS validated by an MTA-STS enforce policy or by
/// DANE, to an MX advertising REQUIRETLS, with REQUIRETLS on MAIL FROM; otherwise it fails permanently (5.7.30).
/// </summary>
public sealed class RequireTlsTests : DemoWorldTest
{
    [Fact]
    public async Task Send_RequireTlsUnderEnforceToAdvertisingMx_DeliveredWithRequireTlsOnMailFrom()
    {
        await using var mx = Mx("rt1.test", 14, "enforce", advertise: true);

        var result = await SendAsync("rt1.test", requireTls: true);

        result.Status.Should().Be(MtaStsDeliveryStatus.Delivered);
        mx.Messages.Should().Be(1);
        mx.MailFrom.Should().ContainSingle().Which.Should().Contain("REQUIRETLS", "RFC 8689 §4.1 the parameter rides on MAIL FROM");
    }

    [Fact]
    public async Task Send_WithoutRequireTls_NoParameterOnMailFrom()
    {
        await using var mx = Mx("rt2.test", 15, "enforce", advertise: true);

        var result = await SendAsync("rt2.test", requireTls: false);

        result.Status.Should().Be(MtaStsDeliveryStatus.Delivered);
        mx.MailFrom.Should().ContainSingle().Which.Should().NotContain("REQUIRETLS");
    }

    [Fact]
    public async Task Send_RequireTlsToMxWithoutTheExtension_FailsPermanently()
    {
        await using var mx = Mx("rt3.test", 16, "enforce", advertise: false);

        var result = await SendAsync("rt3.test", requireTls: true);

        result.Status.Should().Be(MtaStsDeliveryStatus.Failed, "RFC 8689 §5 the message is not downgraded");
        result.Reason.Should().StartWith("5.7.30");
        mx.Messages.Should().Be(0);
    }

    [Theory]
    [InlineData("testing", "RT-1 a testing policy does not validate the MX set")]
    [InlineData(null, "RT-1 opportunistic TLS without a policy is not validated TLS")]
    public async Task Send_RequireTlsWithoutValidatedTls_FailsPermanently(string? mode, string reason)
    {
        await using var mx = Mx("rt4.test", 17, mode, advertise: true);

        var result = await SendAsync("rt4.test", requireTls: true);

        result.Status.Should().Be(MtaStsDeliveryStatus.Failed, reason);
        result.Reason.Should().StartWith("5.7.30");
        mx.Messages.Should().Be(0);
        mx.MailFrom.Should().BeEmpty("nothing was sent on the connection");
    }

    [Fact]
    public async Task Send_RequireTlsValidatedByDane_Delivered()
    {
        using var certificate = World.Ca.IssueFor("mx.rt5.test");
        await using var mx = new ScriptedSmtpServer(new IPEndPoint(DemoWorld.Address(18), World.SmtpPort), certificate, advertiseRequireTls: true);
        World.Dns.SetSigned("rt5.test");
        World.Dns.SetMx("rt5.test", (10, "mx.rt5.test"));
        World.Dns.SetA("mx.rt5.test", DemoWorld.Address(18));
        World.Dns.SetTlsa("_25._tcp.mx.rt5.test", (3, 1, 1, TlsaMatcher.Associate(certificate, 1, 1)));
        var options = World.SenderOptions();
        options.UseDane = true;

        var result = (await new MtaStsDirectSender(Enforcer, options).SendAsync(Message("bob@rt5.test"), MailboxAddress.Parse("alice@sender.test"),
            [MailboxAddress.Parse("bob@rt5.test")], requireTls: true)).Should().ContainSingle().Subject;

        result.Status.Should().Be(MtaStsDeliveryStatus.Delivered, "RT-1 DANE validates the MX set and the certificate");
        mx.MailFrom.Should().ContainSingle().Which.Should().Contain("REQUIRETLS");
    }

    private ScriptedSmtpServer Mx(string domain, int last, string? mode, bool advertise)
    {
        var host = $"mx.{domain}";
        if (mode is not null)
        {
            World.PublishPolicy(domain, mode, host);
        }

        World.Dns.SetMx(domain, (10, host));
        World.Dns.SetA(host, DemoWorld.Address(last));
        return new ScriptedSmtpServer(new IPEndPoint(DemoWorld.Address(last), World.SmtpPort), World.Ca.IssueFor(host), advertiseRequireTls: advertise);
    }

    private async Task<MtaStsDeliveryResult> SendAsync(string domain, bool requireTls) =>
        (await new MtaStsDirectSender(Enforcer, World.SenderOptions()).SendAsync(Message($"bob@{domain}"), MailboxAddress.Parse("alice@sender.test"),
            [MailboxAddress.Parse($"bob@{domain}")], requireTls)).Should().ContainSingle().Subject;
}
