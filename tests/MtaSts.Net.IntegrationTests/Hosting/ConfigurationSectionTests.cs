using System.Globalization;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using MtaSts.DependencyInjection;
using MtaSts.HealthChecks;
using MtaSts.IntegrationTests.Infrastructure;
using MtaSts.Reporting;

namespace MtaSts.IntegrationTests.Hosting;

/// <summary>
/// AddMtaSts(configuration): the <c>MtaSts</c> section and its sub-sections <c>Refresh</c>, <c>TlsRpt</c> and
/// <c>HealthChecks</c> reach their options through a real host; unknown keys, unreadable and invalid values stop the start
/// with a message naming the key; lambdas run after the section.
/// </summary>
public sealed class ConfigurationSectionTests : WorldTest
{
    [Fact]
    public async Task EverySection_ReachesItsOptions()
    {
        using var host = Build(new()
        {
            ["MtaSts:DnsTimeout"] = "00:00:02",
            ["MtaSts:ParsingMode"] = "Strict",
            ["MtaSts:Refresh:CheckInterval"] = "00:10:00",
            ["MtaSts:Refresh:MaxConcurrency"] = "8",
            ["MtaSts:Refresh:MaxFailureBackoff"] = "1.00:00:00",
            ["MtaSts:TlsRpt:OrganizationName"] = "Example Mail",
            ["MtaSts:TlsRpt:ContactInfo"] = "tlsrpt@example.net",
            ["MtaSts:TlsRpt:InstanceId"] = "node-1",
            ["MtaSts:TlsRpt:AllowPrivateEndpoints"] = "true",
            ["MtaSts:TlsRpt:MaxDomainsPerDay"] = "500",
            ["MtaSts:TlsRpt:HttpTimeout"] = "00:00:05",
            ["MtaSts:HealthChecks:RefreshFailureThreshold"] = "3",
            ["MtaSts:HealthChecks:StoreProbeTimeout"] = "00:00:02",
        });
        await host.StartAsync();

        var options = host.Services.GetRequiredService<IOptions<MtaStsOptions>>().Value;
        options.DnsTimeout.Should().Be(TimeSpan.FromSeconds(2));
        options.ParsingMode.Should().Be(MtaStsParsingMode.Strict);
        options.NameServers.Should().Equal([World.Dns.EndPoint], "a list from the section");
        var refresh = host.Services.GetRequiredService<IOptions<MtaStsRefreshOptions>>().Value;
        refresh.CheckInterval.Should().Be(TimeSpan.FromMinutes(10));
        refresh.MaxConcurrency.Should().Be(8);
        refresh.MaxFailureBackoff.Should().Be(TimeSpan.FromDays(1));
        refresh.RefreshAfter.Should().Be(TimeSpan.FromDays(1), "a key left out keeps its default");
        var tlsRpt = host.Services.GetRequiredService<IOptions<TlsRptOptions>>().Value;
        tlsRpt.OrganizationName.Should().Be("Example Mail");
        tlsRpt.ContactInfo.Should().Be("tlsrpt@example.net");
        tlsRpt.InstanceId.Should().Be("node-1", "a configured id is not replaced by the derived default");
        tlsRpt.AllowPrivateEndpoints.Should().BeTrue();
        tlsRpt.MaxDomainsPerDay.Should().Be(500);
        tlsRpt.HttpTimeout.Should().Be(TimeSpan.FromSeconds(5));
        var health = host.Services.GetRequiredService<IOptionsMonitor<MtaStsHealthCheckOptions>>().Get(MtaStsHealthChecksBuilderExtensions.DefaultName);
        health.RefreshFailureThreshold.Should().Be(3);
        health.StoreProbeTimeout.Should().Be(TimeSpan.FromSeconds(2));
        await host.StopAsync();
    }

    [Theory]
    [InlineData("MtaSts:DnsFailureBehaviour", "Proceed", "MtaSts:DnsFailureBehaviour is not a key of MtaSts (known: NameServers,")]
    [InlineData("MtaSts:Refresh:CheckIntervall", "00:10:00", "MtaSts:Refresh:CheckIntervall is not a key of MtaSts:Refresh (known: CheckInterval,")]
    [InlineData("MtaSts:TlsRpt:Organisation", "Example", "MtaSts:TlsRpt:Organisation is not a key of MtaSts:TlsRpt (known: OrganizationName,")]
    [InlineData("MtaSts:HealthChecks:ExpiryWarnings", "1.00:00:00", "MtaSts:HealthChecks:ExpiryWarnings is not a key of MtaSts:HealthChecks")]
    [InlineData("MtaSts:PolicyHostTrustedRoots:0", "root.pem", "MtaSts:PolicyHostTrustedRoots can only be set in code")]
    [InlineData("MtaSts:Refresh:CheckInterval:Minutes", "10", "MtaSts:Refresh:CheckInterval holds a section; a single value is expected")]
    [InlineData("MtaSts:Refresh", "on", "MtaSts:Refresh 'on' is a value; a section of options is expected")]
    public async Task UnknownOrMisplacedKey_StopsTheStart(string key, string value, string message)
    {
        using var host = Build(new() { [key] = value });

        var start = () => host.StartAsync();

        (await start.Should().ThrowAsync<OptionsValidationException>()).Which.Message.Should().Contain(message);
    }

    [Theory]
    [InlineData("MtaSts:Refresh:CheckInterval", "-00:00:01", "MtaSts:Refresh:CheckInterval must be positive; it is -00:00:01.")]
    [InlineData("MtaSts:Refresh:MaxConcurrency", "0", "MtaSts:Refresh:MaxConcurrency must be at least 1; it is 0.")]
    [InlineData("MtaSts:Refresh:MaxFailureBackoff", "00:01:00", "MtaSts:Refresh:MaxFailureBackoff must be at least MtaSts:Refresh:FailureBackoff (01:00:00); it is 00:01:00.")]
    [InlineData("MtaSts:Refresh:MaxJitter", "soon", "MtaSts:Refresh:MaxJitter 'soon' is not a time span")]
    [InlineData("MtaSts:TlsRpt:HttpTimeout", "00:00:00", "MtaSts:TlsRpt:HttpTimeout must be positive; it is 00:00:00.")]
    [InlineData("MtaSts:TlsRpt:MaxConcurrentDomains", "four", "MtaSts:TlsRpt:MaxConcurrentDomains 'four' is not a whole number.")]
    [InlineData("MtaSts:TlsRpt:AllowPrivateEndpoints", "yes", "MtaSts:TlsRpt:AllowPrivateEndpoints 'yes' is not true or false.")]
    [InlineData("MtaSts:TlsRpt:ContactInfo", "not an address", "MtaSts:TlsRpt:ContactInfo must be a plain address (RFC 8460 §4.4); it is 'not an address'.")]
    [InlineData("MtaSts:HealthChecks:ReportFailureThreshold", "0", "MtaSts:HealthChecks:ReportFailureThreshold must be at least 1; it is 0.")]
    [InlineData("MtaSts:HealthChecks:StoreProbeTimeout", "-00:00:01", "MtaSts:HealthChecks:StoreProbeTimeout must be positive; it is -00:00:01.")]
    [InlineData("MtaSts:FetchTimeout", "-00:00:01", "MtaSts:FetchTimeout must be greater than zero and at most 00:10:00; it is -00:00:01.")]
    public async Task BadValue_StopsTheStartNamingKeyAndValue(string key, string value, string message)
    {
        using var host = Build(new() { [key] = value });

        var start = () => host.StartAsync();

        (await start.Should().ThrowAsync<OptionsValidationException>()).Which.Message.Should().Contain(message);
    }

    [Fact]
    public async Task SubSectionWithoutItsCall_StopsTheStart()
    {
        var configuration = Configuration(new() { ["MtaSts:TlsRpt:OrganizationName"] = "Example Mail" });
        using var host = HostingTests.Build(services => services.AddMtaSts(configuration));

        var start = () => host.StartAsync();

        (await start.Should().ThrowAsync<OptionsValidationException>()).Which.Message
            .Should().Contain("MtaSts:TlsRpt is configured but AddTlsRpt() is not called: its values would be ignored.");
    }

    [Fact]
    public async Task Lambdas_RunAfterTheSection()
    {
        var configuration = Configuration(new()
        {
            ["MtaSts:NameServers:0"] = World.Dns.EndPoint.ToString(),
            ["MtaSts:DnsTimeout"] = "00:00:02",
            ["MtaSts:DnsRetries"] = "3",
            ["MtaSts:Refresh:CheckInterval"] = "00:10:00",
            ["MtaSts:Refresh:MaxConcurrency"] = "8",
            ["MtaSts:TlsRpt:OrganizationName"] = "From configuration",
            ["MtaSts:TlsRpt:ContactInfo"] = "tlsrpt@example.net",
            ["MtaSts:HealthChecks:RefreshFailureThreshold"] = "3",
        });
        using var host = HostingTests.Build(services =>
        {
            services.AddMtaSts(configuration)
                .Configure(o => o.DnsTimeout = TimeSpan.FromSeconds(3))
                .AddPolicyRefresher(o => o.CheckInterval = TimeSpan.FromMinutes(20))
                .AddTlsRpt(o => o.OrganizationName = "From code");
            services.AddHealthChecks().AddMtaStsHealthChecks(o => o.RefreshFailureThreshold = 5);
        });

        var options = host.Services.GetRequiredService<IOptions<MtaStsOptions>>().Value;
        var refresh = host.Services.GetRequiredService<IOptions<MtaStsRefreshOptions>>().Value;
        var tlsRpt = host.Services.GetRequiredService<IOptions<TlsRptOptions>>().Value;
        var health = host.Services.GetRequiredService<IOptionsMonitor<MtaStsHealthCheckOptions>>().Get(MtaStsHealthChecksBuilderExtensions.DefaultName);

        (options.DnsTimeout, options.DnsRetries).Should().Be((TimeSpan.FromSeconds(3), 3), "code wins, the section's other keys stay");
        (refresh.CheckInterval, refresh.MaxConcurrency).Should().Be((TimeSpan.FromMinutes(20), 8), "code wins, the section's other keys stay");
        (tlsRpt.OrganizationName, tlsRpt.ContactInfo).Should().Be(("From code", "tlsrpt@example.net"), "code wins, the section's other keys stay");
        health.RefreshFailureThreshold.Should().Be(5, "code wins");
    }

    [Fact]
    public void WithoutConfiguration_TheSectionsAreNotRead()
    {
        using var host = HostingTests.Build(services => services.AddMtaSts(o =>
        {
            o.NameServers.Add(World.Dns.EndPoint);
            o.DnsRetries = 2;
        }).AddPolicyRefresher());

        host.Services.GetRequiredService<IOptions<MtaStsOptions>>().Value.DnsRetries.Should().Be(2);
        host.Services.GetRequiredService<IOptions<MtaStsRefreshOptions>>().Value.CheckInterval.Should().Be(TimeSpan.FromHours(1), "the default");
    }

    [Fact]
    public void Binders_KnowEveryOptionAsAValueOrAsCodeOnly()
    {
        Covers<MtaStsOptions>(MtaStsConfigurationBinder.Keys);
        Covers<MtaStsRefreshOptions>(MtaStsRefreshConfigurationBinder.Keys);
        Covers<TlsRptOptions>(TlsRptConfigurationBinder.Keys);
        Covers<MtaStsHealthCheckOptions>(MtaStsHealthCheckConfigurationBinder.Keys);
    }

    [Fact]
    public void Binders_ReadEveryValueKeyTheyDeclare()
    {
        // A key declared but never read would pass the unknown-key check and then be ignored: each declared key, set to a
        // value its type cannot parse, must come back as a problem of that key.
        Reads<MtaStsOptions, MtaStsConfigurationBinder>();
        Reads<MtaStsRefreshOptions, MtaStsRefreshConfigurationBinder>();
        Reads<TlsRptOptions, TlsRptConfigurationBinder>();
        Reads<MtaStsHealthCheckOptions, MtaStsHealthCheckConfigurationBinder>();
    }

    internal static void Covers<TOptions>(SectionKeys keys)
    {
        var properties = typeof(TOptions).GetProperties().Select(p => p.Name);
        keys.Values.Concat(keys.CodeOnly).Should().BeEquivalentTo(properties, $"every option of {typeof(TOptions).Name} is bindable or listed as code-only");
    }

    internal static void Reads<TOptions, TBinder>()
        where TOptions : class, new()
        where TBinder : IOptionsBinder<TOptions>
    {
        foreach (var key in TBinder.Keys.Values)
        {
            // A string option takes any text: it is read when the options change; any other must report the key.
            var path = $"{OptionsSections.PathOf<TOptions, TBinder>()}:{key}";
            var configuration = new MtaStsConfiguration(Configuration(new() { [path] = "\u0001", [path + ":0"] = "\u0001" }).GetSection("MtaSts"));
            var options = new TOptions();
            var before = Snapshot(options);

            var problems = OptionsSections.Bind<TOptions, TBinder>(configuration, options);

            (problems.Any(p => p.StartsWith(path, StringComparison.Ordinal)) || Snapshot(options) != before)
                .Should().BeTrue($"{typeof(TOptions).Name} declares {key}, so its binder reads it ({string.Join(" ", problems)})");
        }
    }

    private static string Snapshot(object options) =>
        string.Join("|", options.GetType().GetProperties().Select(p => p.GetValue(options) is System.Collections.IEnumerable e and not string
            ? string.Join(",", e.Cast<object>()) : Convert.ToString(p.GetValue(options), CultureInfo.InvariantCulture)));

    private static IConfiguration Configuration(Dictionary<string, string?> values) => new ConfigurationBuilder().AddInMemoryCollection(values).Build();

    // Every section in use, pointed at the loopback world (the name server from the section too).
    private IHost Build(Dictionary<string, string?> values)
    {
        values.TryAdd("MtaSts:NameServers:0", World.Dns.EndPoint.ToString());
        values.TryAdd("MtaSts:TlsRpt:OrganizationName", "Example Mail");
        values.TryAdd("MtaSts:TlsRpt:ContactInfo", "tlsrpt@example.net");
        var configuration = Configuration(values);
        return HostingTests.Build(services =>
        {
            services.AddMtaSts(configuration).AddPolicyRefresher().AddTlsRpt();
            services.AddHealthChecks().AddMtaStsHealthChecks();
        });
    }
}
