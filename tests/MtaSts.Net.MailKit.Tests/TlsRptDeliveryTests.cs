using System.IO.Compression;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using MimeKit;
using MtaSts.Discovery;
using MtaSts.MailKit.Delivery;
using MtaSts.Reporting;

namespace MtaSts.MailKit.Tests;

/// <summary>TLS-RPT end to end: sessions recorded by the sender, reports delivered over HTTPS (Kestrel) and mail (SmtpServer).</summary>
public sealed class TlsRptDeliveryTests : DemoWorldTest
{
    private readonly string _state = Path.Combine(Path.GetTempPath(), "mtasts-tlsrpt-" + Guid.NewGuid().ToString("N"));
    private readonly TlsRptRecorder _recorder = new();

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        if (Directory.Exists(_state))
        {
            Directory.Delete(_state, recursive: true);
        }
    }

    private static DateOnly Today => DateOnly.FromDateTime(DateTime.UtcNow);

    [Fact]
    public async Task Https_StrippedSessionUnderTesting_ReportPostedGzipped()
    {
        var posts = new List<(string? ContentType, byte[] Body)>();
        World.Https.ServeAnyPath("reports.test", async context =>
        {
            using var body = new MemoryStream();
            await context.Request.Body.CopyToAsync(body);
            lock (posts)
            {
                posts.Add((context.Request.ContentType, body.ToArray()));
            }

            context.Response.StatusCode = StatusCodes.Status201Created;
        });
        World.Dns.SetTxt("_smtp._tls.testing.test", "v=TLSRPTv1; rua=https://reports.test/v1/tlsrpt");
        await SendTestingScenarioAsync();

        var outcomes = await Reporter().SendDayAsync(Today);

        outcomes.Should().ContainSingle(o => o.Domain == "testing.test").Which.Status.Should().Be(TlsRptDeliveryStatus.Delivered, "RPT-19 201 is success");
        var (contentType, gzip) = posts.Should().ContainSingle().Subject;
        contentType.Should().Be("application/tlsrpt+gzip");
        var json = Gunzip(gzip);
        var report = TlsRptReport.Parse(json);
        var policy = report.Policies.Single();
        policy.PolicyDomain.Should().Be("testing.test");
        policy.PolicyString.Should().Contain("mode: testing");
        var failure = policy.FailureDetails.Should().ContainSingle().Subject;
        failure.ResultType.Should().Be("starttls-not-supported");
        failure.FailureReasonCode.Should().Contain("XXXXXXXA", "the downgrade evidence is text: failure-reason-code (RFC 8460 §4.4)");
        failure.AdditionalInformation.Should().BeNull("additional-information holds only a URI");
        failure.ReceivingMxHostname.Should().Be("mx.testing.test");
        failure.ReceivingMxHelo.Should().Be("real.testing.test", "the name in the EHLO reply of the server behind the stripping proxy");
        failure.SendingMtaIp.Should().NotBeNullOrEmpty();
    }

    [Fact]
    public async Task Mailto_ReportMailBuiltPerRfcAndDeliveredDespiteBadTls()
    {
        var reports = await World.AddReceiverAsync("mx.reports.test", 45, World.Ca.IssueExpired("mx.reports.test")); // RPT-18
        World.Dns.SetMx("reports.test", (10, "mx.reports.test"));
        World.Dns.SetTxt("_smtp._tls.testing.test", "v=TLSRPTv1; rua=mailto:tlsrpt@reports.test");
        await SendTestingScenarioAsync();

        var outcome = (await Reporter().SendDayAsync(Today)).Single(o => o.Domain == "testing.test");

        outcome.Status.Should().Be(TlsRptDeliveryStatus.Delivered, outcome.Detail);
        var received = reports.Messages.Should().ContainSingle().Subject;
        received.OverTls.Should().BeTrue("STARTTLS was used although the certificate is expired");
        var message = await MimeMessage.LoadAsync(new MemoryStream(received.Data));
        message.Headers["TLS-Report-Domain"].Should().Be("testing.test");
        message.Headers["TLS-Report-Submitter"].Should().Be("sender.test");
        message.Subject.Should().MatchRegex(@"^Report Domain: testing\.test Submitter: sender\.test Report-ID: <.+>$");
        var body = message.Body.Should().BeOfType<MultipartReport>().Subject;
        body.ReportType.Should().Be("tlsrpt");
        var attachment = body.OfType<MimePart>().Single(p => p.ContentType.MimeType == "application/tlsrpt+gzip");
        attachment.FileName.Should().MatchRegex(@"^sender\.test!testing\.test!\d+!\d+!\w+\.json\.gz$", "RPT-15");
        using var decoded = new MemoryStream();
        await attachment.Content!.DecodeToAsync(decoded);
        TlsRptReport.Parse(Gunzip(decoded.ToArray())).Policies.Single().PolicyDomain.Should().Be("testing.test");
        _recorder.Domains(Today).Should().NotContain("reports.test", "RPT-18 the report session is not counted");
    }

    [Fact]
    public async Task NoTlsRptRecord_NothingSent()
    {
        await SendTestingScenarioAsync();
        var outcome = (await Reporter().SendDayAsync(Today)).Single(o => o.Domain == "testing.test");
        outcome.Status.Should().Be(TlsRptDeliveryStatus.NoEndpoint, "RPT-23");
    }

    [Fact]
    public async Task Restart_CountsSurviveAndAReportIsNeverSentTwice()
    {
        var posts = 0;
        World.Https.ServeAnyPath("reports.test", context => { Interlocked.Increment(ref posts); return Task.CompletedTask; });
        World.Dns.SetTxt("_smtp._tls.testing.test", "v=TLSRPTv1; rua=https://reports.test/r");
        await SendTestingScenarioAsync();
        await Reporter().SaveStateAsync(); // as the hosted service does every minute and at shutdown

        var afterRestart = Reporter(new TlsRptRecorder());
        (await afterRestart.SendDayAsync(Today)).Single().Status.Should().Be(TlsRptDeliveryStatus.Delivered, "counts saved before the restart are there");

        var again = new TlsRptRecorder(); // the same session counted once more after the report went out
        var live = await Enforcer.GetPolicyAsync("testing.test");
        again.Record(live, live.EvaluateTls("mx.testing.test", startTlsOffered: false, null, null, default));
        (await Reporter(again).SendDayAsync(Today)).Single().Status.Should().Be(TlsRptDeliveryStatus.AlreadySent);
        posts.Should().Be(1);
    }

    [Fact]
    public async Task FailedDelivery_RetriedWithBackoff()
    {
        var attempts = 0;
        World.Https.ServeAnyPath("reports.test", context =>
        {
            context.Response.StatusCode = Interlocked.Increment(ref attempts) == 1 ? 500 : 200;
            return Task.CompletedTask;
        });
        World.Dns.SetTxt("_smtp._tls.testing.test", "v=TLSRPTv1; rua=https://reports.test/r");
        await SendTestingScenarioAsync();

        var outcome = (await Reporter(options: o => o.FirstRetryDelay = TimeSpan.FromMilliseconds(100)).SendDayWithRetriesAsync(Today)).Single();

        outcome.Status.Should().Be(TlsRptDeliveryStatus.Delivered, "RPT-20 a 500 is retried");
        attempts.Should().Be(2);
        World.Dns.Queries("_smtp._tls.testing.test").Should().Be(1, "the TLS-RPT record is cached for its TTL");
    }

    [Fact]
    public async Task ReportingService_SendsYesterdaysReportAfterMidnightPlusRandomDelay()
    {
        var posts = 0;
        World.Https.ServeAnyPath("reports.test", context => { Interlocked.Increment(ref posts); return Task.CompletedTask; });
        World.Dns.SetTxt("_smtp._tls.testing.test", "v=TLSRPTv1; rua=https://reports.test/r");
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(new DateTimeOffset(2026, 11, 27, 22, 0, 0, TimeSpan.Zero));
        var recorder = new TlsRptRecorder(time);
        await Demo.Scenarios.All[2].SetUpAsync(World);
        var live = await Enforcer.GetPolicyAsync("testing.test");
        recorder.Record(live, live.EvaluateTls("mx.testing.test", startTlsOffered: false, null, null, default));
        var options = new TlsRptOptions
        {
            OrganizationName = "Sender Test", ContactInfo = "tlsrpt@sender.test", MaxRandomDelay = TimeSpan.FromHours(4), AllowPrivateEndpoints = true,
        };
        var reporter = new TlsRptReporter(recorder, new TxtResolverOver(World.EnforcerOptions()), [new TlsRptHttpsTransport(World.HttpClient(), options)], options, time);
        using var service = new DependencyInjection.TlsRptReportingService(reporter, Microsoft.Extensions.Options.Options.Create(options), time);

        await service.StartAsync(default);
        await Task.Delay(200); // the service starts its loop on a background thread
        var sentAt = (DateTimeOffset?)null;
        for (var step = 0; step < 40 && sentAt is null; step++) // 10 fake hours in 15-minute steps, bounded
        {
            time.Advance(TimeSpan.FromMinutes(15));
            for (var wait = 0; wait < 10 && Volatile.Read(ref posts) == 0; wait++)
            {
                await Task.Delay(20);
            }

            sentAt = Volatile.Read(ref posts) > 0 ? time.GetUtcNow() : null;
        }

        posts.Should().Be(1, "RPT-14 yesterday's report goes out once");
        sentAt.Should().BeAfter(new DateTimeOffset(2026, 11, 28, 0, 0, 0, TimeSpan.Zero), "not before the day is over")
            .And.BeOnOrBefore(new DateTimeOffset(2026, 11, 28, 4, 15, 0, TimeSpan.Zero), "within 4 h after midnight UTC");
        await service.StopAsync(default);
    }

    private async Task SendTestingScenarioAsync()
    {
        await Demo.Scenarios.All[2].SetUpAsync(World); // testing, STARTTLS stripped
        var sender = new MtaStsDirectSender(Enforcer, World.SenderOptions(), recorder: _recorder);
        (await sender.SendAsync(Message("bob@testing.test"))).Single().Status.Should().Be(MtaStsDeliveryStatus.Delivered);
    }

    private TlsRptReporter Reporter(TlsRptRecorder? recorder = null, Action<TlsRptOptions>? options = null)
    {
        var settings = new TlsRptOptions
        {
            OrganizationName = "Sender Test", ContactInfo = "tlsrpt@sender.test", StateDirectory = _state,
            AllowPrivateEndpoints = true, // the report endpoints of this world are on loopback
        };
        options?.Invoke(settings);
        IMtaStsTxtResolver resolver = new TxtResolverOver(World.EnforcerOptions());
        return new TlsRptReporter(recorder ?? _recorder, resolver,
            [new TlsRptHttpsTransport(World.HttpClient(), settings), new TlsRptMailTransport(World.DnsClient(), World.SenderOptions())], settings);
    }

    private static string Gunzip(byte[] gzip)
    {
        using var input = new GZipStream(new MemoryStream(gzip), CompressionMode.Decompress);
        using var reader = new StreamReader(input);
        var text = reader.ReadToEnd();
        using var _ = JsonDocument.Parse(text); // well-formed JSON
        return text;
    }

    // The library's DnsClient resolver, pointed at the world's DNS server.
    internal sealed class TxtResolverOver(MtaStsOptions options) : IMtaStsTxtResolver
    {
        private readonly DnsClientTxtResolver _inner = new(DnsClientTxtResolver.CreateClient([.. options.NameServers], TimeSpan.FromSeconds(2), 0));

        public ValueTask<MtaStsTxtLookupResult> ResolveTxtAsync(string name, CancellationToken cancellationToken = default) =>
            _inner.ResolveTxtAsync(name, cancellationToken);
    }
}
