using System.Globalization;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using MtaSts.DependencyInjection;
using MtaSts.MailKit.Delivery;

namespace MtaSts.MailKit.Tests;

/// <summary>AddMtaSts(configuration).AddMailKit(): the <c>MtaSts:Delivery</c> section reaches the direct sender through a real host.</summary>
public sealed class DeliveryConfigurationTests : DemoWorldTest
{
    [Fact]
    public async Task DeliverySection_ReachesTheSender_WhichDeliversOnTheConfiguredPort()
    {
        await Demo.Scenarios.All[0].SetUpAsync(World);
        var sender = World.SenderOptions();
        using var host = Build(new()
        {
            ["MtaSts:Delivery:Port"] = sender.Port.ToString(CultureInfo.InvariantCulture),
            ["MtaSts:Delivery:HeloName"] = "client.sender.test",
            ["MtaSts:Delivery:ConnectTimeout"] = "00:00:05",
            ["MtaSts:Delivery:MaxMxHosts"] = "3",
            ["MtaSts:Delivery:HonorTlsRequiredHeader"] = "true",
        }, o => o.CommandTimeout = TimeSpan.FromSeconds(20));
        await host.StartAsync();

        var options = host.Services.GetRequiredService<IOptions<MtaStsDirectSenderOptions>>().Value;
        (options.Port, options.HeloName, options.ConnectTimeout, options.MaxMxHosts, options.HonorTlsRequiredHeader)
            .Should().Be((sender.Port, "client.sender.test", TimeSpan.FromSeconds(5), 3, true));
        options.CommandTimeout.Should().Be(TimeSpan.FromSeconds(20), "the lambda runs after the section");
        var result = (await host.Services.GetRequiredService<IMtaStsDirectSender>().SendAsync(Message("bob@honest.test"))).Single();
        result.Status.Should().Be(MtaStsDeliveryStatus.Delivered, "the port from configuration is the loopback receiver's");
        await host.StopAsync();
    }

    [Fact]
    public void DaneRequiredDomains_ComeFromAList()
    {
        using var host = Build(new()
        {
            ["MtaSts:Delivery:UseDane"] = "true",
            ["MtaSts:Delivery:DaneRequiredDomains:0"] = "bank.test",
            ["MtaSts:Delivery:DaneRequiredDomains:1"] = "Secure.Test.",
        });

        var options = host.Services.GetRequiredService<IOptions<MtaStsDirectSenderOptions>>().Value;

        options.UseDane.Should().BeTrue();
        options.DaneRequiredDomains.Should().Equal("bank.test", "Secure.Test.");
    }

    [Theory]
    [InlineData("MtaSts:Delivery:Prot", "25", "MtaSts:Delivery:Prot is not a key of MtaSts:Delivery (known: Port,")]
    [InlineData("MtaSts:Delivery:Port", "0", "MtaSts:Delivery:Port must be between 1 and 65535; it is 0.")]
    [InlineData("MtaSts:Delivery:ConnectTimeout", "-00:00:01", "MtaSts:Delivery:ConnectTimeout must be positive; it is -00:00:01.")]
    [InlineData("MtaSts:Delivery:UseDane", "maybe", "MtaSts:Delivery:UseDane 'maybe' is not true or false.")]
    [InlineData("MtaSts:Delivery:HeloName", " ", "MtaSts:Delivery:HeloName must not be empty; it is ' '.")]
    [InlineData("MtaSts:Delivery:DaneRequiredDomains:0", "bank.test", "MtaSts:Delivery:DaneRequiredDomains needs MtaSts:Delivery:UseDane = true")]
    [InlineData("MtaSts:Delivery:DaneRequiredDomains:0", "not a domain", "MtaSts:Delivery:DaneRequiredDomains must hold domain names; it is 'not a domain'.")]
    public async Task BadDeliveryKey_StopsTheStart(string key, string value, string message)
    {
        using var host = Build(new() { [key] = value });

        var start = () => host.StartAsync();

        (await start.Should().ThrowAsync<OptionsValidationException>()).Which.Message.Should().Contain(message);
    }

    [Fact]
    public void Binder_KnowsAndReadsEveryOption()
    {
        var keys = MtaStsDirectSenderConfigurationBinder.Keys;
        keys.Values.Concat(keys.CodeOnly).Should().BeEquivalentTo(typeof(MtaStsDirectSenderOptions).GetProperties().Select(p => p.Name),
            "every option is bindable or listed as code-only");
        foreach (var key in keys.Values)
        {
            var path = $"MtaSts:Delivery:{key}";
            var section = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { [path] = "\u0001", [path + ":0"] = "\u0001" })
                .Build().GetSection("MtaSts");
            var options = new MtaStsDirectSenderOptions();

            var problems = OptionsSections.Bind<MtaStsDirectSenderOptions, MtaStsDirectSenderConfigurationBinder>(new MtaStsConfiguration(section), options);

            // A string (or list of strings) takes any text: it is read when the options change; any other reports the key.
            (problems.Any(p => p.StartsWith(path, StringComparison.Ordinal)) || options.HeloName == "\u0001" || options.DaneRequiredDomains.Contains("\u0001"))
                .Should().BeTrue($"{key} is declared, so it is read ({string.Join(" ", problems)})");
        }
    }

    private IHost Build(Dictionary<string, string?> values, Action<MtaStsDirectSenderOptions>? configure = null)
    {
        values["MtaSts:NameServers:0"] = World.Dns.EndPoint.ToString();
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(values).Build();
        var enforcerOptions = World.EnforcerOptions();
        var builder = Host.CreateApplicationBuilder();
        builder.Services.AddMtaSts(configuration)
            .Configure(o =>
            {
                o.PolicyHostTrustedRoots = enforcerOptions.PolicyHostTrustedRoots;
                o.MxTrustedRoots = enforcerOptions.MxTrustedRoots;
                o.PolicyHostConnectCallback = enforcerOptions.PolicyHostConnectCallback;
            })
            .AddMailKit(configure);
        return builder.Build();
    }
}
