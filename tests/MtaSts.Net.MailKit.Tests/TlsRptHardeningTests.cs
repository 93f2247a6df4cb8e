using System.Diagnostics;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Http;
using MtaSts.Demo;
using MtaSts.Reporting;

namespace MtaSts.MailKit.Tests;

/// <summary>Report delivery against hostile or broken endpoints, over real servers on loopback (Kestrel, SmtpServer).</summary>
public sealed class TlsRptHardeningTests : DemoWorldTest
{
    private static readonly TlsRptEnvelope Envelope = TlsRptEnvelope.Create(
        new TlsRptReport("Sender Test", new DateTimeOffset(2026, 11, 27, 0, 0, 0, TimeSpan.Zero), new DateTimeOffset(2026, 11, 27, 23, 59, 59, TimeSpan.Zero),
            "tlsrpt@sender.test", "2026-11-27_testing.test@sender.test", []), "testing.test");

    [Theory]
    [InlineData("mailto:reports")]
    [InlineData("mailto:a%20b@reports.test")]
    [InlineData("mailto:%22@reports.test")]
    [InlineData("mailto:a%0D%0ARSET@reports.test")]
    public async Task MailTransport_MalformedAddress_FailsWithoutThrowing(string rua)
    {
        var reports = await World.AddReceiverAsync("mx.reports.test", 45, null);
        World.Dns.SetMx("reports.test", (10, "mx.reports.test"));

        var failure = await new TlsRptMailTransport(World.DnsClient(), World.SenderOptions()).DeliverAsync(new Uri(rua), Envelope);

        failure.Should().NotBeNull("A: a bad address is this rua's failure, not an exception that stops all reporting");
        reports.Messages.Should().BeEmpty();
    }

    [Theory]
    [InlineData(StartTlsScript.Garbage)]
    [InlineData(StartTlsScript.Stall)]
    public async Task MailTransport_TlsUpgradeFails_DeliveredInPlainText(StartTlsScript script)
    {
        // RFC 8460 §3 (RPT-18): report mail MUST be delivered despite TLS failures, so after a failed TLS upgrade the
        // same MX is tried once more without STARTTLS.
        World.Dns.SetMx("plainreports.test", (10, "mx.plainreports.test"));
        World.Dns.SetA("mx.plainreports.test", DemoWorld.Address(66));
        await using var mx = new ScriptedSmtpServer(new System.Net.IPEndPoint(DemoWorld.Address(66), World.SmtpPort),
            World.Ca.IssueFor("mx.plainreports.test"), script);
        var options = World.SenderOptions();
        options.CommandTimeout = TimeSpan.FromSeconds(2);

        var failure = await new TlsRptMailTransport(World.DnsClient(), options).DeliverAsync(new Uri("mailto:tlsrpt@plainreports.test"), Envelope);

        failure.Should().BeNull("the plain-text retry delivers the report");
        mx.Messages.Should().Be(1);
    }

    [Fact]
    public async Task InjectedMailtoBeforeHttps_ReportPostedAndNoMailSent()
    {
        var reports = await World.AddReceiverAsync("mx.reports.test", 45, null);
        World.Dns.SetMx("reports.test", (10, "mx.reports.test"));
        var posts = 0;
        World.Https.ServeAnyPath("reports.test", _ => { Interlocked.Increment(ref posts); return Task.CompletedTask; });
        World.Dns.SetTxt("_smtp._tls.testing.test", "v=TLSRPTv1; rua=mailto:a%0D%0ARSET@reports.test,https://reports.test/r");
        await Demo.Scenarios.All[2].SetUpAsync(World);
        var recorder = new TlsRptRecorder();
        var state = await Enforcer.GetPolicyAsync("testing.test");
        recorder.Record(state, state.EvaluateTls("mx.testing.test", startTlsOffered: false, null, null, default));
        var options = new TlsRptOptions { OrganizationName = "Sender Test", ContactInfo = "tlsrpt@sender.test", AllowPrivateEndpoints = true };
        var reporter = new TlsRptReporter(recorder, new TlsRptDeliveryTests.TxtResolverOver(World.EnforcerOptions()),
            [new TlsRptMailTransport(World.DnsClient(), World.SenderOptions()), new TlsRptHttpsTransport(World.HttpClient(), options)], options);

        var outcome = (await reporter.SendDayAsync(DateOnly.FromDateTime(DateTime.UtcNow))).Single();

        outcome.Status.Should().Be(TlsRptDeliveryStatus.Delivered, outcome.Detail);
        posts.Should().Be(1);
        reports.Messages.Should().BeEmpty("A: the injected mailto: never reached the SMTP transport");
    }

    [Theory]
    [InlineData("localhost", "a name that resolves to loopback, checked at connect time")]
    [InlineData("127.0.0.1", "a loopback literal")]
    [InlineData("[::ffff:127.0.0.1]", "an IPv4-mapped loopback literal")]
    public async Task Https_LoopbackEndpoint_RefusedByDefault(string host, string reason)
    {
        World.Https.ServeAnyPath("localhost", _ => Task.CompletedTask);
        var before = World.Https.Requests.Count;
        using var handler = TlsRptHttpsTransport.CreateHandler(new TlsRptOptions());
        handler.SslOptions = new SslClientAuthenticationOptions { RemoteCertificateValidationCallback = (_, _, _, _) => true }; // RPT-19 MAY
        using var client = new HttpClient(handler);

        var failure = await new TlsRptHttpsTransport(client).DeliverAsync(new Uri($"https://{host}:{World.Https.Port}/r"), Envelope);

        failure.Should().Contain("public", reason);
        World.Https.Requests.Count.Should().Be(before, "B: nothing was posted to the private endpoint");
    }

    [Fact]
    public async Task Https_LoopbackEndpointAllowed_Posted()
    {
        var posts = 0;
        World.Https.ServeAnyPath("localhost", _ => { Interlocked.Increment(ref posts); return Task.CompletedTask; });
        var options = new TlsRptOptions { AllowPrivateEndpoints = true };
        using var handler = TlsRptHttpsTransport.CreateHandler(options);
        handler.SslOptions = new SslClientAuthenticationOptions { RemoteCertificateValidationCallback = (_, _, _, _) => true };
        using var client = new HttpClient(handler);

        var failure = await new TlsRptHttpsTransport(client, options).DeliverAsync(new Uri($"https://localhost:{World.Https.Port}/r"), Envelope);

        failure.Should().BeNull("AllowPrivateEndpoints lets private deployments post to internal endpoints");
        posts.Should().Be(1);
    }

    [Fact]
    public async Task Https_Redirect_NotFollowed()
    {
        var followed = 0;
        World.Https.ServeAnyPath("reports.test", context =>
        {
            if (context.Request.Path == "/moved")
            {
                Interlocked.Increment(ref followed);
                return Task.CompletedTask;
            }

            context.Response.StatusCode = StatusCodes.Status307TemporaryRedirect; // 307 keeps the POST
            context.Response.Headers.Location = "https://reports.test/moved";
            return Task.CompletedTask;
        });
        var options = new TlsRptOptions { AllowPrivateEndpoints = true };
        using var handler = TlsRptHttpsTransport.CreateHandler(options);
        handler.ConnectCallback = World.Https.ConnectCallback;
        handler.SslOptions = new SslClientAuthenticationOptions { CertificateChainPolicy = TrustWorld() };
        using var client = new HttpClient(handler);

        var failure = await new TlsRptHttpsTransport(client, options).DeliverAsync(new Uri("https://reports.test/r"), Envelope);

        failure.Should().Contain("307");
        followed.Should().Be(0, "B: a report POST never follows a redirect");
    }

    [Fact]
    public async Task Https_SlowEndpoint_GivesUpAtTheHttpTimeout()
    {
        World.Https.ServeAnyPath("reports.test", context => Task.Delay(TimeSpan.FromSeconds(20), context.RequestAborted));
        var options = new TlsRptOptions { AllowPrivateEndpoints = true, HttpTimeout = TimeSpan.FromMilliseconds(500) };
        using var client = World.HttpClient(); // HttpClient's own timeout is 100 s
        var clock = Stopwatch.StartNew();

        var failure = await new TlsRptHttpsTransport(client, options).DeliverAsync(new Uri("https://reports.test/r"), Envelope);

        failure.Should().Contain("no answer within");
        clock.Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(10), "B: a short timeout per POST");
    }

    [Fact]
    public async Task Https_EndlessResponseBody_NotRead()
    {
        World.Https.ServeAnyPath("reports.test", async context =>
        {
            await context.Response.StartAsync(context.RequestAborted);
            var chunk = new byte[64 * 1024];
            for (var i = 0; i < 400 && !context.RequestAborted.IsCancellationRequested; i++) // bounded: at most ~25 MB over ~20 s
            {
                await context.Response.Body.WriteAsync(chunk, context.RequestAborted);
                await Task.Delay(50, context.RequestAborted);
            }
        });
        var options = new TlsRptOptions { AllowPrivateEndpoints = true, HttpTimeout = TimeSpan.FromSeconds(15) };
        using var client = World.HttpClient();
        var clock = Stopwatch.StartNew();

        var failure = await new TlsRptHttpsTransport(client, options).DeliverAsync(new Uri("https://reports.test/r"), Envelope);

        failure.Should().BeNull("the 200 status is the answer (RPT-19); the body is not read");
        clock.Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(8), "B: a hostile endpoint cannot keep the sender reading (until the 15 s timeout)");
    }

    private X509ChainPolicy TrustWorld() => new()
    {
        TrustMode = X509ChainTrustMode.CustomRootTrust,
        CustomTrustStore = { World.Ca.TrustStore[0] },
        RevocationMode = X509RevocationMode.NoCheck,
    };
}
