using MtaSts.Testing;
using System.Text.Json;
using MtaSts.Check;
using MtaSts.IntegrationTests.Infrastructure;

namespace MtaSts.IntegrationTests.Samples;

/// <summary>The MtaSts.Check sample, run in-process against the loopback DNS server and policy host.</summary>
public sealed class CheckCommandTests : WorldTest
{
    [Fact]
    public async Task Json_PolicyAndDnsMx_PrintsExactlyOneObject()
    {
        World.Publish("example.com", "20240101");
        World.Dns.SetMx("example.com", (10, "mail.example.com"), (20, "evil.example.net"));

        var (code, stdout, _) = await RunAsync("example.com", "--json");

        code.Should().Be(CheckCommand.Finished);
        using var doc = JsonDocument.Parse(stdout);
        var root = doc.RootElement;
        root.EnumerateObject().Select(p => p.Name).Should().Equal("domain", "record", "policy", "failure", "mx");
        root.GetProperty("domain").GetString().Should().Be("example.com");
        root.GetProperty("record").GetProperty("id").GetString().Should().Be("20240101");
        var policy = root.GetProperty("policy");
        policy.GetProperty("mode").GetString().Should().Be("enforce");
        policy.GetProperty("mx").EnumerateArray().Select(e => e.GetString()).Should().Equal("mail.example.com", "*.mx.example.com");
        policy.GetProperty("max_age").GetInt64().Should().Be(86400);
        root.GetProperty("failure").ValueKind.Should().Be(JsonValueKind.Null);
        var mx = root.GetProperty("mx").EnumerateArray().ToList();
        mx.Should().HaveCount(2);
        mx[0].GetProperty("host").GetString().Should().Be("mail.example.com");
        mx[0].GetProperty("verdict").GetString().Should().Be("deliver");
        mx[0].GetProperty("failure").ValueKind.Should().Be(JsonValueKind.Null);
        mx[1].GetProperty("host").GetString().Should().Be("evil.example.net");
        mx[1].GetProperty("verdict").GetString().Should().Be("fail-closed");
        mx[1].GetProperty("failure").GetProperty("kind").GetString().Should().Be("certificate-host-mismatch");
    }

    [Fact]
    public async Task Json_FetchFails_RecordWithFailureKind()
    {
        World.Dns.SetTxt("_mta-sts.example.com", "v=STSv1; id=7");
        World.Https.Serve("mta-sts.example.com", context => { context.Response.StatusCode = 404; return Task.CompletedTask; });
        var (code, stdout, _) = await RunAsync("example.com", "--json", "--mx", "mail.example.com");

        code.Should().Be(CheckCommand.Finished, "discovery finished, without a policy");
        var root = JsonDocument.Parse(stdout).RootElement;
        root.GetProperty("record").GetProperty("id").GetString().Should().Be("7");
        root.GetProperty("policy").ValueKind.Should().Be(JsonValueKind.Null);
        root.GetProperty("failure").GetProperty("kind").GetString().Should().Be("sts-policy-fetch-error");
        root.GetProperty("mx")[0].GetProperty("verdict").GetString().Should().Be("deliver-and-report");
    }

    [Fact]
    public async Task Text_NoMxRecords_UsesTheImplicitMx()
    {
        World.Publish("example.com", "1");
        World.Dns.SetA("example.com", System.Net.IPAddress.Loopback);
        var (code, stdout, _) = await RunAsync("example.com");
        code.Should().Be(CheckCommand.Finished);
        stdout.Should().Contain("implicit MX").And.Contain("mode enforce").And.Contain("fail-closed", "MXR-4 example.com matches no pattern");
    }

    [Theory]
    [InlineData("")]
    [InlineData("--json")]
    [InlineData("a.example|b.example")]
    [InlineData("example.com|--bogus")]
    [InlineData("example.com|--name-server|not-an-ip")]
    public async Task BadUsage_ExitsTwo(string joined)
    {
        var args = joined.Split('|', StringSplitOptions.RemoveEmptyEntries);
        var output = new StringWriter();
        var errors = new StringWriter();
        (await CheckCommand.RunAsync(args, output, errors)).Should().Be(CheckCommand.BadUsage);
        errors.ToString().Should().Contain("usage:");
        output.ToString().Should().BeEmpty();
    }

    private async Task<(int Code, string Stdout, string Stderr)> RunAsync(params string[] args)
    {
        var output = new StringWriter();
        var errors = new StringWriter();
        string[] all = [.. args, "--name-server", World.Dns.EndPoint.ToString()];
        var code = await CheckCommand.RunAsync(all, output, errors, o =>
        {
            o.PolicyHostTrustedRoots = World.Ca.TrustStore;
            o.PolicyHostConnectCallback = World.Https.ConnectCallback;
        });
        return (code, output.ToString(), errors.ToString());
    }
}
