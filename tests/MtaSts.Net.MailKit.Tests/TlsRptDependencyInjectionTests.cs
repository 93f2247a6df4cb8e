using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using MtaSts.DependencyInjection;
using MtaSts.Reporting;

namespace MtaSts.MailKit.Tests;

/// <summary>What AddTlsRpt wires: the default instance id, start-time validation of the limits, the hardened HTTPS client.</summary>
public sealed class TlsRptDependencyInjectionTests : DemoWorldTest
{
    [Fact]
    public void AddTlsRpt_InstanceIdDefaultsToAStableValidKey()
    {
        using var host = Build(_ => { });

        var id = host.Services.GetRequiredService<IOptions<TlsRptOptions>>().Value.InstanceId;

        TlsRptInstanceId.IsValid(id).Should().BeTrue(id);
        id.Should().Be(TlsRptInstanceId.CreateDefault(host.Services.GetRequiredService<IHostEnvironment>().ContentRootPath), "F: stable per installation");
    }

    [Theory]
    [InlineData("MaxConcurrentDomains", "MtaSts:TlsRpt:MaxConcurrentDomains must be at least 1; it is 0.")]
    [InlineData("MaxReportUrisPerDomain", "MtaSts:TlsRpt:MaxReportUrisPerDomain must be at least 1; it is 0.")]
    [InlineData("HttpTimeout", "MtaSts:TlsRpt:HttpTimeout must be positive; it is 00:00:00.")]
    [InlineData("InstanceId", "MtaSts:TlsRpt:InstanceId must be 1-64 letters, digits, '-', '_' or '.'; it is 'two words'.")]
    [InlineData("ContactInfo", "MtaSts:TlsRpt:ContactInfo must be a plain address")]
    [InlineData("DkimSelector", "MtaSts:TlsRpt:DkimSelector must be a selector")]                        // DKIM is all or nothing
    [InlineData("DkimPrivateKeyFile", "MtaSts:TlsRpt:DkimPrivateKeyFile must name an existing file; it is '/nonexistent/dkim.pem'.")]
    public async Task AddTlsRpt_InvalidLimit_FailsAtStart(string option, string message)
    {
        using var host = Build(o =>
        {
            switch (option)
            {
                case "MaxConcurrentDomains": o.MaxConcurrentDomains = 0; break;
                case "MaxReportUrisPerDomain": o.MaxReportUrisPerDomain = 0; break;
                case "HttpTimeout": o.HttpTimeout = TimeSpan.Zero; break;
                case "InstanceId": o.InstanceId = "two words"; break;
                case "DkimSelector": o.DkimDomain = "example.net"; o.DkimPrivateKey = "-----BEGIN PRIVATE KEY-----"; break;
                case "DkimPrivateKeyFile": o.DkimDomain = "example.net"; o.DkimSelector = "tlsrpt"; o.DkimPrivateKeyFile = "/nonexistent/dkim.pem"; break;
                default: o.ContactInfo = "\"quoted\"@example.net"; break;
            }
        });

        var start = () => host.StartAsync();

        (await start.Should().ThrowAsync<OptionsValidationException>()).Which.Message.Should().Contain(message);
    }

    [Theory]
    [InlineData("example.org")]      // another domain
    [InlineData("mail.example.net")] // a child of the From domain: not the reporting domain
    [InlineData("net")]              // a single label is no organisational domain
    [InlineData("xample.net")]       // a suffix of the name, not a parent domain
    public async Task AddTlsRpt_DkimDomainNotAlignedWithContactInfo_FailsAtStart(string dkimDomain)
    {
        using var key = System.Security.Cryptography.RSA.Create(2048);
        using var host = Build(o =>
        {
            o.DkimDomain = dkimDomain; // ContactInfo is tlsrpt@example.net
            o.DkimSelector = "tlsrpt";
            o.DkimPrivateKey = key.ExportPkcs8PrivateKeyPem();
        });

        var start = () => host.StartAsync();

        (await start.Should().ThrowAsync<OptionsValidationException>("RFC 8460 §3 (RPT-17): the signature is the reporting domain's"))
            .Which.Message.Should().Contain($"MtaSts:TlsRpt:DkimDomain '{dkimDomain}' must be the domain of MtaSts:TlsRpt:ContactInfo 'tlsrpt@example.net'");
    }

    [Theory]
    [InlineData("example.net")]        // the From domain
    [InlineData("EXAMPLE.NET")]        // case does not matter
    public void TlsRptOptionsValidator_DkimDomainOfContactInfo_Valid(string dkimDomain)
    {
        using var key = System.Security.Cryptography.RSA.Create(2048);
        var options = new TlsRptOptions
        {
            OrganizationName = "Sender", ContactInfo = "tlsrpt@example.net",
            DkimDomain = dkimDomain, DkimSelector = "tlsrpt", DkimPrivateKey = key.ExportPkcs8PrivateKeyPem(),
        };

        new TlsRptOptionsValidator().Validate(null, options).Succeeded.Should().BeTrue();
        new TlsRptOptionsValidator().Validate(null, new TlsRptOptions
        {
            OrganizationName = "Sender", ContactInfo = "tlsrpt@reports.example.net",
            DkimDomain = dkimDomain, DkimSelector = "tlsrpt", DkimPrivateKey = key.ExportPkcs8PrivateKeyPem(),
        }).Succeeded.Should().BeTrue("a parent of the From domain is aligned (relaxed)");
    }

    [Fact]
    public async Task AddTlsRpt_HttpsTransportRefusesLoopbackByDefault()
    {
        World.Https.ServeAnyPath("localhost", _ => Task.CompletedTask);
        using var host = Build(_ => { });
        var https = host.Services.GetServices<ITlsRptTransport>().OfType<TlsRptHttpsTransport>().Single();
        var envelope = TlsRptEnvelope.Create(new TlsRptReport("o", DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch, "a@example.net", "id", []), "example.com");

        var failure = await https.DeliverAsync(new Uri($"https://localhost:{World.Https.Port}/r"), envelope);

        failure.Should().Contain("public", "B: the registered client dials public addresses only");
        World.Https.Requests.Should().BeEmpty();
    }

    [Fact]
    public void AddTlsRpt_StateDirectory_StateKeptInAFile()
    {
        var directory = Path.Combine(Path.GetTempPath(), "mtasts-tlsrpt-" + Guid.NewGuid().ToString("N"));
        try
        {
            using var host = Build(o => o.StateDirectory = directory);

            host.Services.GetRequiredService<ITlsRptStateStore>().Should().BeOfType<FileTlsRptStateStore>("StateDirectory chooses the file store");
        }
        finally
        {
            if (Directory.Exists(directory))
            {
                Directory.Delete(directory, recursive: true);
            }
        }
    }

    private static IHost Build(Action<TlsRptOptions> configure)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Services.AddMtaSts().AddTlsRpt(o =>
        {
            o.OrganizationName = "Example";
            o.ContactInfo = "tlsrpt@example.net";
            configure(o);
        });
        return builder.Build();
    }
}
