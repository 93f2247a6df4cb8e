using Microsoft.Extensions.DependencyInjection;
using MimeKit;
using MtaSts.Demo;
using MtaSts.MailKit.Delivery;

namespace MtaSts.MailKit.Tests;

/// <summary>A fresh loopback world and enforcer for each test.</summary>
public abstract class DemoWorldTest : IAsyncLifetime
{
    protected DemoWorld World { get; private set; } = null!;

    protected MtaStsEnforcer Enforcer { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        World = await DemoWorld.StartAsync();
        Enforcer = MtaStsEnforcer.Create(World.EnforcerOptions());
    }

    public virtual async Task DisposeAsync()
    {
        Enforcer.Dispose();
        await World.DisposeAsync();
    }

    /// <summary>Registers MTA-STS on the world's DNS server, policy hosts and test CA, and the MailKit sender on its SMTP port.</summary>
    protected IMtaStsBuilder AddWorld(IServiceCollection services, bool mailKit = true)
    {
        var enforcerOptions = World.EnforcerOptions();
        var builder = services.AddMtaSts(o =>
        {
            o.NameServers.Add(World.Dns.EndPoint);
            o.PolicyHostTrustedRoots = enforcerOptions.PolicyHostTrustedRoots;
            o.MxTrustedRoots = enforcerOptions.MxTrustedRoots;
            o.PolicyHostConnectCallback = enforcerOptions.PolicyHostConnectCallback;
        });
        if (mailKit)
        {
            var senderOptions = World.SenderOptions();
            builder.AddMailKit(o =>
            {
                o.Port = senderOptions.Port;
                o.HeloName = senderOptions.HeloName;
            });
        }

        return builder;
    }

    protected static MimeMessage Message(params string[] to)
    {
        var message = new MimeMessage();
        message.From.Add(MailboxAddress.Parse("alice@sender.test"));
        foreach (var address in to)
        {
            message.To.Add(MailboxAddress.Parse(address));
        }

        message.Subject = "test";
        message.Body = new TextPart("plain") { Text = "Confidential" };
        return message;
    }

    protected async Task<MtaStsDeliveryResult> SendAsync(string domain) =>
        (await new MtaStsDirectSender(Enforcer, World.SenderOptions()).SendAsync(Message($"bob@{domain}"))).Should().ContainSingle().Subject;
}
