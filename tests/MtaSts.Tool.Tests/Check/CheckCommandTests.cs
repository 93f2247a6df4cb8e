using ARSoft.Tools.Net.Dns;
using MtaSts.Tool.Tests.Infrastructure;

namespace MtaSts.Tool.Tests.Check;

/// <summary><c>mta-sts check</c> (formerly samples/MtaSts.Check), in-process against the loopback DNS server and policy host.</summary>
public sealed class CheckCommandTests : ToolWorldTest
{
    private const string EnforcePolicy = "version: STSv1\nmode: enforce\nmx: mail.example.com\nmx: *.mx.example.com\nmax_age: 86400\n";

    [Fact]
    public async Task Json_PolicyAndDnsMx_PrintsExactlyOneObject()
    {
        World.PublishPolicy("example.com", "20240101", EnforcePolicy);
        World.Dns.SetMx("example.com", (10, "mail.example.com"), (20, "evil.example.net"));

        var run = await World.RunAsync("check", "example.com", "--json");

        run.Code.Should().Be(0, run.Stderr);
        var root = run.Json();
        root.EnumerateObject().Select(p => p.Name).Should().Equal("domain", "record", "policy", "failure", "fail_closed", "mx");
        root.GetProperty("domain").GetString().Should().Be("example.com");
        root.GetProperty("record").GetProperty("id").GetString().Should().Be("20240101");
        var policy = root.GetProperty("policy");
        policy.GetProperty("mode").GetString().Should().Be("enforce");
        policy.GetProperty("mx").EnumerateArray().Select(e => e.GetString()).Should().Equal("mail.example.com", "*.mx.example.com");
        policy.GetProperty("max_age").GetInt64().Should().Be(86400);
        root.GetProperty("failure").ValueKind.Should().Be(System.Text.Json.JsonValueKind.Null);
        root.GetProperty("fail_closed").GetBoolean().Should().BeFalse();
        var mx = root.GetProperty("mx").EnumerateArray().ToList();
        mx.Should().HaveCount(2);
        mx[0].GetProperty("host").GetString().Should().Be("mail.example.com");
        mx[0].GetProperty("verdict").GetString().Should().Be("deliver");
        mx[1].GetProperty("host").GetString().Should().Be("evil.example.net");
        mx[1].GetProperty("verdict").GetString().Should().Be("fail-closed");
        mx[1].GetProperty("failure").GetProperty("kind").GetString().Should().Be("certificate-host-mismatch");
    }

    [Fact]
    public async Task Json_FetchFails_RecordWithFailureKind()
    {
        World.PublishPolicy("example.com", "7", EnforcePolicy);
        World.Https.Serve("mta-sts.example.com", context => { context.Response.StatusCode = 404; return Task.CompletedTask; });
        var run = await World.RunAsync("check", "example.com", "--json", "--mx", "mail.example.com");

        run.Code.Should().Be(0, "discovery finished, without a policy");
        var root = run.Json();
        root.GetProperty("record").GetProperty("id").GetString().Should().Be("7");
        root.GetProperty("policy").ValueKind.Should().Be(System.Text.Json.JsonValueKind.Null);
        root.GetProperty("failure").GetProperty("kind").GetString().Should().Be("sts-policy-fetch-error");
        root.GetProperty("mx")[0].GetProperty("verdict").GetString().Should().Be("deliver-and-report");
    }

    [Fact]
    public async Task Text_NoMxRecords_UsesTheImplicitMx()
    {
        World.PublishPolicy("example.com", "1", EnforcePolicy);
        World.Dns.SetA("example.com", System.Net.IPAddress.Loopback);
        var run = await World.RunAsync("check", "example.com");
        run.Code.Should().Be(0);
        run.Stdout.Should().Contain("implicit MX").And.Contain("mode enforce").And.Contain("fail-closed", "MXR-4 example.com matches no pattern");
    }

    [Fact]
    public async Task Text_TxtLookupFailsTemporarily_SaysTheSenderFailsClosedAndExitsOne()
    {
        World.Dns.SetReturnCode("_mta-sts.example.com", ReturnCode.ServerFailure); // TXT-14, SEC-1
        var run = await World.RunAsync("check", "example.com", "--mx", "mail.example.com");

        run.Code.Should().Be(1);
        run.Stdout.Should().Contain("fails closed and defers").And.NotContain("opportunistic");
        run.Stdout.Should().Contain("fail-closed");
    }

    [Fact]
    public async Task Text_NoRecord_SaysOpportunistic()
    {
        var run = await World.RunAsync("check", "example.com", "--mx", "mail.example.com");
        run.Code.Should().Be(0);
        run.Stdout.Should().Contain("none published; delivery is opportunistic");
    }

    [Theory]
    [InlineData("")]
    [InlineData("--json")]
    [InlineData("a.example|b.example")]
    [InlineData("example.com|--bogus")]
    [InlineData("example.com|--name-server|not-an-ip")]
    [InlineData("exa mple.com")]
    [InlineData("-.example.com")]
    [InlineData("[192.0.2.1]")]
    public async Task BadUsage_ExitsTwoAtOnce(string joined)
    {
        string[] args = ["check", .. joined.Split('|', StringSplitOptions.RemoveEmptyEntries)];
        var output = new StringWriter();
        var errors = new StringWriter();
        var started = DateTime.UtcNow;
        (await ToolApp.RunAsync(args, output, errors)).Should().Be(2);
        (DateTime.UtcNow - started).Should().BeLessThan(TimeSpan.FromSeconds(2), "no network before the input is known to be good");
        errors.ToString().Should().Contain("usage:");
        output.ToString().Should().BeEmpty();
    }
}
