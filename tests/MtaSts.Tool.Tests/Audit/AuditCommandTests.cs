using Microsoft.AspNetCore.Http;
using ARSoft.Tools.Net.Dns;
using MtaSts.Testing;
using MtaSts.Tool.Tests.Infrastructure;
using Xunit.Abstractions;

namespace MtaSts.Tool.Tests.Audit;

/// <summary>
/// <c>mta-sts audit</c> against the loopback world: one test per finding code, each starting from the clean domain
/// and breaking one thing, and the clean domain itself, which produces none.
/// </summary>
public sealed class AuditCommandTests(ITestOutputHelper log) : ToolWorldTest
{
    private const string Txt = "_mta-sts.example.com";

    [Fact]
    public async Task Audit_CleanDomain_NoFindingsAndExitZero()
    {
        await World.PublishCleanAsync();
        var json = await World.RunAsync("audit", "example.com", "--json");
        var text = await World.RunAsync("audit", "example.com");
        log.WriteLine(text.Stdout);

        json.Code.Should().Be(0, json.Stdout + json.Stderr);
        var root = json.Json();
        root.EnumerateObject().Select(p => p.Name).Should().Equal("domain", "findings", "summary");
        root.GetProperty("domain").GetString().Should().Be("example.com");
        json.Findings().Should().BeEmpty();
        root.GetProperty("summary").GetProperty("errors").GetInt32().Should().Be(0);
        root.GetProperty("summary").GetProperty("warnings").GetInt32().Should().Be(0);
        text.Code.Should().Be(0);
        text.Stdout.Should().StartWith("MTA-STS audit of example.com: no findings").And.Contain("MX mail.example.com: STARTTLS, TLS 1.");
    }

    [Fact]
    public async Task Audit_BrokenDomain_TableWithEveryProblemAndExitOne()
    {
        await World.PublishCleanAsync();
        World.Dns.SetMx("example.com", (10, "mail.example.com"), (20, "backup.example.net"));
        await World.AddMxHostAsync("backup.example.net", null);
        World.Dns.Remove("_smtp._tls.example.com");
        var run = await World.RunAsync("audit", "example.com");
        log.WriteLine(run.Stdout);

        run.Code.Should().Be(1);
        run.Stdout.Should().StartWith("MTA-STS audit of example.com: 2 errors, 1 warning")
            .And.Contain("mx-not-covered").And.Contain("mx-starttls-missing").And.Contain("tlsrpt-missing");
    }

    [Fact]
    public async Task Audit_NoTxtRecord_TxtMissing() => await ExpectAsync(() => World.Dns.Remove(Txt), "error", "txt-missing", "TXT _mta-sts.example.com");

    [Fact]
    public async Task Audit_TwoStsRecords_TxtMultiple() =>
        await ExpectAsync(() => World.Dns.SetTxt(Txt, "v=STSv1; id=1", "v=STSv1; id=2"), "error", "txt-multiple", "TXT _mta-sts.example.com");

    [Fact]
    public async Task Audit_IdWithHyphen_TxtInvalid() =>
        await ExpectAsync(() => World.Dns.SetTxt(Txt, "v=STSv1; id=2026-01-01"), "error", "txt-invalid", "TXT _mta-sts.example.com"); // TXT-7

    [Fact]
    public async Task Audit_TxtServfail_TxtLookupFailed() =>
        await ExpectAsync(() => World.Dns.SetReturnCode(Txt, ReturnCode.ServerFailure), "error", "txt-lookup-failed", "TXT _mta-sts.example.com"); // TXT-14

    [Fact]
    public async Task Audit_NoAddressForPolicyHost_PolicyHostUnresolvable() =>
        await ExpectAsync(() => World.Dns.Remove("mta-sts.example.com"), "error", "policy-host-unresolvable", "mta-sts.example.com");

    [Theory]
    [InlineData("wrong-name", "not valid for mta-sts.example.com")] // FETCH-3
    [InlineData("expired", "expired on")]                           // FETCH-2
    [InlineData("cn-only", "no SAN dNSName")]                       // FETCH-3: the CN never counts
    public async Task Audit_BadPolicyHostCertificate_PolicyHostCertificateInvalid(string kind, string detail)
    {
        var detailFound = await ExpectAsync(
            () => World.Https.ServePolicy("mta-sts.example.com", ToolWorld.CleanPolicy(), certificate: kind switch
            {
                "wrong-name" => World.Ca.IssueFor("www.example.com"),
                "expired" => World.Ca.IssueExpired("mta-sts.example.com"),
                _ => World.Ca.IssueCommonNameOnly("mta-sts.example.com"),
            }),
            "error", "policy-host-certificate-invalid", "https://mta-sts.example.com");
        detailFound.Should().Contain(detail);
    }

    [Fact]
    public async Task Audit_PolicyHostFromAnotherCa_PolicyHostCertificateInvalid()
    {
        using var other = new TestCertificateAuthority("Somebody Else's Root");
        var detail = await ExpectAsync(() => World.Https.ServePolicy("mta-sts.example.com", ToolWorld.CleanPolicy(), certificate: other.IssueFor("mta-sts.example.com")),
            "error", "policy-host-certificate-invalid", "https://mta-sts.example.com");
        detail.Should().Contain("trusted root");
    }

    [Theory]
    [InlineData("404", "HTTP 404")]                          // FETCH-5
    [InlineData("redirect", "redirect")]                     // FETCH-6
    [InlineData("html", "media type text/html")]             // FETCH-8
    [InlineData("oversize", "larger than 65536")]            // FETCH-10
    public async Task Audit_PolicyNotServedProperly_PolicyFetchFailed(string kind, string detail)
    {
        var found = await ExpectAsync(
            () => World.Https.Serve("mta-sts.example.com", async context =>
            {
                switch (kind)
                {
                    case "404":
                        context.Response.StatusCode = 404;
                        break;
                    case "redirect":
                        context.Response.Redirect("https://www.example.com/mta-sts.txt", permanent: true);
                        break;
                    case "html":
                        context.Response.ContentType = "text/html";
                        await context.Response.WriteAsync(ToolWorld.CleanPolicy());
                        break;
                    default:
                        context.Response.ContentType = "text/plain";
                        await context.Response.WriteAsync(ToolWorld.CleanPolicy() + new string('x', 70_000));
                        break;
                }
            }),
            "error", "policy-fetch-failed", "https://mta-sts.example.com");
        found.Should().Contain(detail);
    }

    [Fact]
    public async Task Audit_PolicyHostTooSlow_PolicyFetchFailedWithinTheTimeout()
    {
        await World.PublishCleanAsync();
        World.Https.Serve("mta-sts.example.com", async context => await Task.Delay(TimeSpan.FromSeconds(30), context.RequestAborted));
        var started = DateTime.UtcNow;
        var run = await World.RunAsync("audit", "example.com", "--json", "--timeout", "1");
        (DateTime.UtcNow - started).Should().BeLessThan(TimeSpan.FromSeconds(15));
        run.Findings().Should().ContainSingle(f => f.Code == "policy-fetch-failed").Which.Detail.Should().Contain("within 1 s");
    }

    [Fact]
    public async Task Audit_PolicyMissingMaxAge_PolicyInvalidError()
    {
        var detail = await ExpectAsync(() => World.Https.ServePolicy("mta-sts.example.com", "version: STSv1\r\nmode: enforce\r\nmx: mail.example.com\r\n"),
            "error", "policy-invalid", "policy");
        detail.Should().Contain("max_age");
    }

    [Fact]
    public async Task Audit_PolicyWithBlankLine_PolicyInvalidWarningBecauseTolerantSendersAcceptIt()
    {
        var detail = await ExpectAsync(() => World.Https.ServePolicy("mta-sts.example.com", "version: STSv1\r\nmode: enforce\r\n\r\nmx: mail.example.com\r\nmax_age: 604800\r\n"),
            "warning", "policy-invalid", "policy", expectedExit: 0); // POL-9
        detail.Should().Contain("line 3").And.Contain("tolerant");
    }

    [Fact]
    public async Task Audit_ModeNone_PolicyModeNoneInfo() =>
        await ExpectAsync(() => World.Https.ServePolicy("mta-sts.example.com", "version: STSv1\r\nmode: none\r\nmax_age: 604800\r\n"), "info", "policy-mode-none", "policy", expectedExit: 0);

    [Fact]
    public async Task Audit_ModeTesting_PolicyModeTestingWarning() =>
        await ExpectAsync(() => World.Https.ServePolicy("mta-sts.example.com", "version: STSv1\r\nmode: testing\r\nmx: mail.example.com\r\nmax_age: 604800\r\n"),
            "warning", "policy-mode-testing", "policy", expectedExit: 0);

    [Fact]
    public async Task Audit_EnforceWithOneDayMaxAge_MaxAgeShort() =>
        await ExpectAsync(() => World.Https.ServePolicy("mta-sts.example.com", ToolWorld.CleanPolicy(maxAge: 86400)), "warning", "max-age-short", "policy", expectedExit: 0);

    [Fact]
    public async Task Audit_MxServfail_MxLookupFailed() =>
        await ExpectAsync(() => World.Dns.SetReturnCode("example.com", ReturnCode.ServerFailure), "error", "mx-lookup-failed", "MX example.com");

    [Fact]
    public async Task Audit_NullMx_MxNullInfo() =>
        await ExpectAsync(() => World.Dns.SetMx("example.com", (0, ".")), "info", "mx-null", "MX example.com", expectedExit: 0); // MXR-1

    [Fact]
    public async Task Audit_MxNotInPolicy_MxNotCovered()
    {
        await World.PublishCleanAsync();
        World.Dns.SetMx("example.com", (10, "mail.example.com"), (20, "backup.example.net"));
        await World.AddMxHostAsync("backup.example.net", World.Ca.IssueFor("backup.example.net"));
        var run = await World.RunAsync("audit", "example.com", "--json");
        run.Code.Should().Be(1);
        run.Findings().Should().ContainSingle().Which.Should().Be(("error", "mx-not-covered", "MX backup.example.net",
            "no mx pattern of the policy matches it (mail.example.com); senders refuse this MX (MX-1)"));
    }

    [Fact]
    public async Task Audit_PatternMatchingNoMx_MxPatternUnused() =>
        await ExpectAsync(() => World.Https.ServePolicy("mta-sts.example.com", "version: STSv1\r\nmode: enforce\r\nmx: mail.example.com\r\nmx: *.old.example.com\r\nmax_age: 604800\r\n"),
            "warning", "mx-pattern-unused", "mx *.old.example.com", expectedExit: 0);

    [Fact]
    public async Task Audit_NothingListensAtMx_MxUnreachable() =>
        await ExpectAsync(() => World.Dns.SetA("mail.example.com", World.NextAddress()), "error", "mx-unreachable", "MX mail.example.com");

    [Fact]
    public async Task Audit_MxWithoutAddress_MxUnreachable()
    {
        var detail = await ExpectAsync(() => World.Dns.Remove("mail.example.com"), "error", "mx-unreachable", "MX mail.example.com");
        detail.Should().Contain("no address");
    }

    [Fact]
    public async Task Audit_MxWithoutStartTls_MxStartTlsMissing()
    {
        await World.PublishCleanAsync();
        World.Dns.SetMx("example.com", (10, "mail2.example.com"));
        World.Https.ServePolicy("mta-sts.example.com", "version: STSv1\r\nmode: enforce\r\nmx: mail2.example.com\r\nmax_age: 604800\r\n");
        await World.AddMxHostAsync("mail2.example.com", null);
        var run = await World.RunAsync("audit", "example.com", "--json");
        run.Code.Should().Be(1);
        run.Findings().Should().ContainSingle().Which.Code.Should().Be("mx-starttls-missing"); // CERT-1
    }

    [Fact]
    public async Task Audit_StartTlsRefused_MxStartTlsFailed()
    {
        await using var refusing = await StartTlsRefusingServer.StartAsync(World.NextAddress(), World.SmtpPort);
        var detail = await ExpectAsync(() => World.Dns.SetA("mail.example.com", refusing.Address), "error", "mx-starttls-failed", "MX mail.example.com");
        detail.Should().Contain("454");
    }

    [Theory]
    [InlineData("untrusted", "error", "mx-certificate-untrusted")]            // CERT-2
    [InlineData("expired", "error", "mx-certificate-expired")]                // CERT-2
    [InlineData("not-yet-valid", "error", "mx-certificate-untrusted")]        // CERT-2: outside its validity period
    [InlineData("expiring", "warning", "mx-certificate-expiring")]            // 5 days left, under 14
    [InlineData("cn-only", "error", "mx-certificate-name-mismatch")]          // CERT-3: SAN dNSName only
    [InlineData("wrong-name", "error", "mx-certificate-name-mismatch")]       // CERT-4: the MX host is the reference
    public async Task Audit_BadMxCertificate_Reported(string kind, string severity, string code)
    {
        using var other = new TestCertificateAuthority("Somebody Else's Root");
        await World.PublishCleanAsync();
        World.Dns.SetMx("example.com", (10, "mx2.example.com"));
        World.Https.ServePolicy("mta-sts.example.com", "version: STSv1\r\nmode: enforce\r\nmx: mx2.example.com\r\nmax_age: 604800\r\n");
        await World.AddMxHostAsync("mx2.example.com", kind switch
        {
            "untrusted" => other.IssueFor("mx2.example.com"),
            "expired" => World.Ca.IssueExpired("mx2.example.com"),
            "not-yet-valid" => World.Ca.Issue("mx2.example.com", ["mx2.example.com"], notBefore: DateTimeOffset.UtcNow.AddDays(2), notAfter: DateTimeOffset.UtcNow.AddDays(90)),
            "expiring" => World.Ca.Issue("mx2.example.com", ["mx2.example.com"], notAfter: DateTimeOffset.UtcNow.AddDays(5).AddHours(1)),
            "cn-only" => World.Ca.IssueCommonNameOnly("mx2.example.com"),
            _ => World.Ca.IssueFor("mail.example.com"),
        });
        var run = await World.RunAsync("audit", "example.com", "--json");
        log.WriteLine(run.Stdout);
        run.Findings().Should().ContainSingle().Which.Should().Match<(string Severity, string Code, string Subject, string Detail)>(
            f => f.Severity == severity && f.Code == code && f.Subject == "MX mx2.example.com");
        run.Code.Should().Be(severity == "error" ? 1 : 0);
    }

    [Fact]
    public async Task Audit_NoTlsRptRecord_TlsRptMissing() =>
        await ExpectAsync(() => World.Dns.Remove("_smtp._tls.example.com"), "warning", "tlsrpt-missing", "TXT _smtp._tls.example.com", expectedExit: 0);

    [Theory]
    [InlineData("v=TLSRPTv1;")]                          // no rua (RPT-6)
    [InlineData("v=TLSRPTv1; rua=ftp://example.com/r")]  // no usable scheme (RPT-8)
    public async Task Audit_BadTlsRptRecord_TlsRptInvalid(string record) =>
        await ExpectAsync(() => World.Dns.SetTxt("_smtp._tls.example.com", record), "error", "tlsrpt-invalid", "TXT _smtp._tls.example.com");

    [Theory]
    [InlineData("")]
    [InlineData("not a domain")]
    [InlineData("192.0.2.1")]
    [InlineData("example.com|extra.example")]
    [InlineData("example.com|--mx|a.example.com")]
    [InlineData("example.com|--ca-file|/nonexistent/ca.pem")]
    [InlineData("example.com|--timeout|0")]
    [InlineData("example.com|--smtp-port|70000")]
    public async Task Audit_BadUsage_ExitsTwoAtOnce(string joined)
    {
        string[] args = ["audit", .. joined.Split('|', StringSplitOptions.RemoveEmptyEntries)];
        var output = new StringWriter();
        var errors = new StringWriter();
        (await ToolApp.RunAsync(args, output, errors)).Should().Be(2);
        output.ToString().Should().BeEmpty();
        errors.ToString().Should().Contain("usage:");
    }

    // Starts from the clean domain, breaks one thing, and expects exactly that finding; returns its detail.
    private async Task<string> ExpectAsync(Action breakIt, string severity, string code, string subject, int expectedExit = 1)
    {
        await World.PublishCleanAsync();
        breakIt();
        var run = await World.RunAsync("audit", "example.com", "--json");
        log.WriteLine(run.Stdout);
        var finding = run.Findings().Should().ContainSingle(f => f.Code == code, run.Stdout).Which;
        finding.Severity.Should().Be(severity);
        finding.Subject.Should().Be(subject);
        finding.Detail.Should().NotBeNullOrWhiteSpace();
        run.Code.Should().Be(expectedExit, run.Stdout);
        return finding.Detail;
    }
}
