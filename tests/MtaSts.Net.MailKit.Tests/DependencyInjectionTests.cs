using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using MtaSts.DependencyInjection;
using MtaSts.MailKit.Delivery;

namespace MtaSts.MailKit.Tests;

public sealed class DependencyInjectionTests : DemoWorldTest
{
    [Fact]
    public async Task AddMailKit_RegistersADirectSenderThatDelivers()
    {
        await Demo.Scenarios.All[0].SetUpAsync(World);
        var builder = Host.CreateApplicationBuilder();
        AddWorld(builder.Services);
        using var host = builder.Build();
        await host.StartAsync();

        var sender = host.Services.GetRequiredService<MtaStsDirectSender>();
        host.Services.GetRequiredService<IMtaStsDirectSender>().Should().BeSameAs(sender, "the interface is the same singleton, for callers that mock it");
        var result = (await sender.SendAsync(Message("bob@honest.test"))).Single();

        result.Status.Should().Be(MtaStsDeliveryStatus.Delivered);
        World.Receivers["mx.honest.test"].Messages.Should().ContainSingle().Which.OverTls.Should().BeTrue();
        await host.StopAsync();
    }

    [Fact]
    public async Task AddMailKit_InvalidOptions_FailAtStart()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Services.AddMtaSts().AddMailKit(o => o.Port = 0);
        using var host = builder.Build();

        var start = () => host.StartAsync();

        (await start.Should().ThrowAsync<OptionsValidationException>()).Which.Message.Should().Contain("MtaSts:Delivery:Port must be between 1 and 65535; it is 0.");
    }

    [Fact]
    public async Task AddTlsRpt_WiresRecorderReporterAndBothTransports()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Services.AddMtaSts().AddMailKit().AddTlsRpt(o =>
        {
            o.OrganizationName = "Example";
            o.ContactInfo = "tlsrpt@example.net";
        });
        using var host = builder.Build();

        var services = host.Services;
        services.GetRequiredService<MtaStsDirectSender>().Should().BeSameAs(services.GetRequiredService<MtaStsDirectSender>(), "a singleton");
        services.GetRequiredService<Reporting.TlsRptReporter>().Should().BeSameAs(services.GetRequiredService<Reporting.TlsRptReporter>(), "a singleton");
        services.GetServices<Reporting.ITlsRptTransport>().Select(t => t.GetType().Name)
            .Should().BeEquivalentTo(["TlsRptHttpsTransport", "TlsRptMailTransport"]);
        services.GetServices<IHostedService>().Select(s => s.GetType().Name).Should().Contain("TlsRptReportingService");
        await Task.CompletedTask;
    }

    [Fact]
    public async Task AddTlsRpt_WithoutContact_FailsAtStart()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Services.AddMtaSts().AddTlsRpt(o => o.OrganizationName = "Example");
        using var host = builder.Build();

        var start = () => host.StartAsync();

        (await start.Should().ThrowAsync<OptionsValidationException>()).Which.Message.Should().Contain("ContactInfo");
    }
}
