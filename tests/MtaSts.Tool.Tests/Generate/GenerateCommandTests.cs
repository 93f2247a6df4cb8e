using MtaSts.Publishing;

namespace MtaSts.Tool.Tests.Generate;

/// <summary><c>mta-sts generate</c>: the policy body with CRLF lines and a TXT id that follows the content.</summary>
public sealed class GenerateCommandTests
{
    [Fact]
    public async Task Generate_Enforce_PrintsCrlfPolicyAndTxtRecord()
    {
        var (code, stdout, stderr) = await RunAsync("--mx", "mail.example.com", "--mx", "*.mx.example.com", "--mode", "enforce", "--max-age", "1209600", "--domain", "example.com");

        code.Should().Be(0);
        const string body = "version: STSv1\r\nmode: enforce\r\nmx: mail.example.com\r\nmx: *.mx.example.com\r\nmax_age: 1209600\r\n";
        stdout.Should().Contain(body);
        var id = MtaStsPolicyDocument.ComputeId(body);
        stdout.Should().Be(body, "stdout is the policy file alone: `generate > mta-sts.txt` serves as is");
        MtaStsPolicy.TryParse(stdout, out _, out var parseError).Should().BeTrue(parseError);
        stderr.Should().Contain($"v=STSv1; id={id}").And.Contain("_mta-sts.example.com").And.Contain("https://mta-sts.example.com/.well-known/mta-sts.txt");
        MtaStsRecord.TryParse($"v=STSv1; id={id}", out var record).Should().BeTrue("TXT-7: 1-32 letters and digits");
        record!.Id.Should().HaveLength(20);
    }

    [Fact]
    public async Task Generate_Json_OneObjectWhoseIdChangesExactlyWithThePolicy()
    {
        var a = await JsonAsync("--mx", "mail.example.com", "--mode", "testing");
        var again = await JsonAsync("--mx", "mail.example.com", "--mode", "testing");
        var b = await JsonAsync("--mx", "mail.example.com", "--mode", "enforce");

        a.EnumerateObject().Select(p => p.Name).Should().Equal("policy", "id", "txt", "txt_name", "policy_url");
        a.GetProperty("id").GetString().Should().Be(again.GetProperty("id").GetString());
        a.GetProperty("id").GetString().Should().NotBe(b.GetProperty("id").GetString());
        var policy = a.GetProperty("policy").GetString()!;
        MtaStsPolicy.TryParse(policy, out var parsed, out _).Should().BeTrue();
        parsed!.MaxAge.Should().Be(TimeSpan.FromSeconds(604800), "one week by default");
        a.GetProperty("id").GetString().Should().Be(MtaStsPolicyDocument.ComputeId(policy));
    }

    [Theory]
    [InlineData("--mode|enforce")]                                       // no mx (POL-1)
    [InlineData("--mx|mail.example.com")]                                // no mode
    [InlineData("--mx|mail.example.com|--mode|strict")]                  // POL-3
    [InlineData("--mx|mail_1.example.com|--mode|enforce")]               // POL-13
    [InlineData("--mx|mail.*.example.com|--mode|enforce")]               // POL-13
    [InlineData("--mx|mail.example.com.|--mode|enforce")]                // POL-13: no trailing dot
    [InlineData("--mx|mail.example.com|--mode|enforce|--max-age|31557601")] // POL-11
    [InlineData("--mx|mail.example.com|--mode|enforce|--max-age|-1")]
    [InlineData("--mx|mail.example.com|--mode|enforce|--domain|bad domain")]
    [InlineData("extra|--mx|mail.example.com|--mode|enforce")]
    public async Task Generate_BadInput_ExitsTwo(string joined)
    {
        var (code, stdout, stderr) = await RunAsync(joined.Split('|'));
        code.Should().Be(2);
        stdout.Should().BeEmpty();
        stderr.Should().Contain("usage:");
    }

    private static async Task<System.Text.Json.JsonElement> JsonAsync(params string[] args)
    {
        var (code, stdout, _) = await RunAsync([.. args, "--json", "--domain", "example.com"]);
        code.Should().Be(0);
        return System.Text.Json.JsonDocument.Parse(stdout).RootElement;
    }

    private static async Task<(int Code, string Stdout, string Stderr)> RunAsync(params string[] args)
    {
        var output = new StringWriter();
        var errors = new StringWriter();
        var code = await ToolApp.RunAsync(["generate", .. args], output, errors);
        return (code, output.ToString(), errors.ToString());
    }
}
