using System.Net.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MtaSts.Caching;
using MtaSts.DependencyInjection;
using MtaSts.Discovery;
using MtaSts.IntegrationTests.Infrastructure;
using MtaSts.Testing;

namespace MtaSts.IntegrationTests.Hosting;

/// <summary>services.AddMtaSts(...): registration, configuration, validation at start-up, the policy HTTP client.</summary>
public sealed class HostingTests : WorldTest
{
    [Fact]
    public async Task AddMtaSts_ResolvesAWorkingEnforcer()
    {
        World.Publish("example.com", "1");
        using var host = Build(services => services.AddMtaSts(o => Point(o)));
        await host.StartAsync();

        var enforcer = host.Services.GetRequiredService<IMtaStsEnforcer>();
        enforcer.Should().BeSameAs(host.Services.GetRequiredService<MtaStsEnforcer>());
        (await enforcer.GetPolicyAsync("example.com")).Mode.Should().Be(MtaStsMode.Enforce);
        host.Services.GetService<IMtaStsPolicyStore>().Should().BeNull("memory only by default: the enforcer's cache is the one in-memory copy");
        await host.StopAsync();
    }

    [Fact]
    public async Task AddMtaSts_KeepsSeamsTheAppRegisteredFirst()
    {
        var resolver = new CountingResolver();
        using var host = Build(services =>
        {
            services.AddSingleton<IMtaStsTxtResolver>(resolver);
            services.AddMtaSts(o => Point(o));
        });
        await host.StartAsync();

        await host.Services.GetRequiredService<IMtaStsEnforcer>().GetPolicyAsync("example.com");

        resolver.Calls.Should().Be(1, "TryAdd: the application's resolver wins");
    }

    [Fact]
    public async Task AddMtaSts_BindsTheMtaStsConfigurationSection()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["MtaSts:FetchTimeout"] = "00:00:30",
            ["MtaSts:MaxPolicyBytes"] = "32768",
            ["MtaSts:ParsingMode"] = "lenient",
            ["MtaSts:DnsFailureBehavior"] = "Proceed",
            ["MtaSts:NameServers:0"] = "127.0.0.1:5353",
            ["MtaSts:NameServers:1"] = "::1",
            ["MtaSts:RequireValidCertificateWithoutPolicy"] = "true",
            ["MtaSts:CheckCertificateRevocation"] = "true",
        }).Build();
        using var host = Build(services => services.AddMtaSts(configuration));

        var options = host.Services.GetRequiredService<IOptions<MtaStsOptions>>().Value;

        options.FetchTimeout.Should().Be(TimeSpan.FromSeconds(30));
        options.MaxPolicyBytes.Should().Be(32768);
        options.ParsingMode.Should().Be(MtaStsParsingMode.Lenient);
        options.DnsFailureBehavior.Should().Be(MtaStsDnsFailureBehavior.Proceed);
        options.NameServers.Select(e => e.ToString()).Should().Equal("127.0.0.1:5353", "[::1]:53");
        options.RequireValidCertificateWithoutPolicy.Should().BeTrue();
        options.CheckCertificateRevocation.Should().BeTrue();
    }

    [Fact]
    public async Task AddMtaSts_InvalidOptions_FailAtStartWithNamedMessages()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["MtaSts:FetchTimeout"] = "soon",
            ["MtaSts:MaxPolicyBytes"] = "10",
            ["MtaSts:TxtRecheckMinimum"] = "01:00:00",
            ["MtaSts:TxtRecheckMaximum"] = "00:01:00",
            ["MtaSts:NameServers:0"] = "not-an-address",
            ["MtaSts:ParsingMode"] = "sloppy",
            ["MtaSts:CheckCertificateRevocation"] = "maybe",
            ["MtaSts:DnsFailureBehaviour"] = "Proceed", // a typo would otherwise keep FailClosed silently
        }).Build();
        using var host = Build(services => services.AddMtaSts(configuration));

        var start = () => host.StartAsync();

        var error = (await start.Should().ThrowAsync<OptionsValidationException>()).Which.Message;
        error.Should().Contain("FetchTimeout 'soon'")
            .And.Contain("MaxPolicyBytes must be between 1024 and 1048576; it is 10")
            .And.Contain("MtaSts:TxtRecheckMaximum must be at least MtaSts:TxtRecheckMinimum (01:00:00); it is 00:01:00.")
            .And.Contain("NameServers:0 'not-an-address'")
            .And.Contain("ParsingMode 'sloppy'")
            .And.Contain("MtaSts:DnsFailureBehaviour is not a key of MtaSts")
            .And.Contain("CheckCertificateRevocation 'maybe' is not true or false");
    }

    [Fact]
    public async Task PolicyClient_AppWideStandardResilience_IsNotStacked()
    {
        using var host = Build(services =>
        {
            services.ConfigureHttpClientDefaults(b => b.AddStandardResilienceHandler());
            services.AddMtaSts(o => Point(o));
        });

        // With FetchRetries = 2, a failing host is asked exactly three times, not three times three: the app's
        // HttpClient defaults never wrap the policy client.
        World.Dns.SetTxt("_mta-sts.example.com", "v=STSv1; id=1");
        World.Https.Serve("mta-sts.example.com", context => { context.Response.StatusCode = 503; return Task.CompletedTask; });
        await host.StartAsync();
        var state = await host.Services.GetRequiredService<IMtaStsEnforcer>().GetPolicyAsync("example.com");
        state.DiscoveryFailure!.ReasonCode.Should().Be("http-503");
        World.Https.RequestCount("mta-sts.example.com").Should().Be(3, "1 try + 2 bounded retries");
    }

    [Fact]
    public async Task Create_RetriesTransientFetchFailuresAsTheContainerDoes()
    {
        World.Dns.SetTxt("_mta-sts.example.com", "v=STSv1; id=1");
        World.Https.Serve("mta-sts.example.com", context => { context.Response.StatusCode = 503; return Task.CompletedTask; });
        using var enforcer = MtaStsEnforcer.Create(World.Options(o => o.FetchRetries = 2));

        var state = await enforcer.GetPolicyAsync("example.com");

        state.DiscoveryFailure!.ReasonCode.Should().Be("http-503");
        World.Https.RequestCount("mta-sts.example.com").Should().Be(3, "the one composition root: 1 try + 2 retries without DI too");
    }

    [Fact]
    public async Task PolicyClient_RetriesStayInsideTheTotalTimeout()
    {
        World.Dns.SetTxt("_mta-sts.example.com", "v=STSv1; id=1");
        World.Https.Serve("mta-sts.example.com", context => { context.Response.StatusCode = 500; return Task.CompletedTask; });
        using var host = Build(services => services.AddMtaSts(o =>
        {
            Point(o);
            o.FetchTimeout = TimeSpan.FromMilliseconds(700);
            o.FetchRetries = 5;
        }));
        await host.StartAsync();
        var watch = System.Diagnostics.Stopwatch.StartNew();

        var state = await host.Services.GetRequiredService<IMtaStsEnforcer>().GetPolicyAsync("example.com");

        watch.Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(4));
        state.DiscoveryFailure!.Kind.Should().Be(MtaStsFailureKind.PolicyFetchError);
        World.Https.RequestCount("mta-sts.example.com").Should().BeLessThan(6, "the RFC total timeout cut the retries short");
    }

    [Fact]
    public async Task PolicyClient_CertificateFailure_IsNotRetried()
    {
        World.Dns.SetTxt("_mta-sts.example.com", "v=STSv1; id=1");
        World.Https.ServePolicy("mta-sts.example.com", TestWorld.EnforcePolicy, certificate: World.Ca.IssueExpired("mta-sts.example.com"));
        using var host = Build(services => services.AddMtaSts(o => Point(o)));
        await host.StartAsync();

        var state = await host.Services.GetRequiredService<IMtaStsEnforcer>().GetPolicyAsync("example.com");

        state.DiscoveryFailure!.Kind.Should().Be(MtaStsFailureKind.PolicyWebPkiInvalid);
    }

    internal static IHost Build(Action<IServiceCollection> configure)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        configure(builder.Services);
        return builder.Build();
    }

    private void Point(MtaStsOptions options)
    {
        var template = World.Options();
        options.NameServers.Add(World.Dns.EndPoint);
        options.DnsRetries = 0;
        options.PolicyHostTrustedRoots = template.PolicyHostTrustedRoots;
        options.MxTrustedRoots = template.MxTrustedRoots;
        options.PolicyHostConnectCallback = template.PolicyHostConnectCallback;
    }

    private sealed class CountingResolver : IMtaStsTxtResolver
    {
        public int Calls;

        public ValueTask<MtaStsTxtLookupResult> ResolveTxtAsync(string name, CancellationToken cancellationToken = default)
        {
            Interlocked.Increment(ref Calls);
            return ValueTask.FromResult(MtaStsTxtLookupResult.NotFound("none"));
        }
    }
}
