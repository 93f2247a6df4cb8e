using System.Text.Json;
using MtaSts.Tool.Tests.Infrastructure;

namespace MtaSts.Tool.Tests.Package;

/// <summary>The packed tool, installed with <c>dotnet tool install</c> and run as a process: help, exit codes, JSON.</summary>
public sealed class ToolPackageTests(ToolPackageFixture tool) : IClassFixture<ToolPackageFixture>
{
    [Fact]
    public async Task Help_StdoutAndExitZero_ListsCommandsAndExitCodes()
    {
        var (code, stdout, stderr) = await tool.RunToolAsync("--help");
        code.Should().Be(0, stderr);
        stdout.Should().Contain("mta-sts check").And.Contain("mta-sts audit").And.Contain("mta-sts generate").And.Contain("exit codes:");
        stderr.Should().BeEmpty();
        (await tool.RunToolAsync("audit", "--help")).Code.Should().Be(0);
    }

    [Theory]
    [InlineData("")]
    [InlineData("frobnicate")]
    [InlineData("check")]
    [InlineData("check|not_a_domain!")]
    [InlineData("generate|--mode|enforce")]
    public async Task BadUsage_ExitTwo_UsageOnStderr(string joined)
    {
        var (code, stdout, stderr) = await tool.RunToolAsync(joined.Split('|', StringSplitOptions.RemoveEmptyEntries));
        code.Should().Be(2);
        stdout.Should().BeEmpty();
        stderr.Should().Contain("usage:");
    }

    [Fact]
    public async Task Generate_Json_OneDocument()
    {
        var (code, stdout, _) = await tool.RunToolAsync("generate", "--mx", "mail.example.com", "--mode", "enforce", "--json");
        code.Should().Be(0);
        var root = JsonDocument.Parse(stdout).RootElement;
        root.GetProperty("txt").GetString().Should().StartWith("v=STSv1; id=");
        root.GetProperty("policy").GetString().Should().Contain("\r\nmode: enforce\r\n");
    }

    [Fact]
    public async Task Audit_BrokenAndCleanLoopbackDomains_ExitCodesAndJsonShape()
    {
        await using var world = await ToolWorld.StartAsync();
        await world.PublishCleanAsync();
        await world.PublishCleanAsync("example.org");
        world.Dns.Remove("_smtp._tls.example.org");
        world.Dns.SetTxt("_mta-sts.example.org", "v=STSv1; id=bad-id");

        var clean = await tool.RunToolAsync(["audit", "example.com", "--json", .. world.WorldOptions("audit")]);
        var broken = await tool.RunToolAsync(["audit", "example.org", "--json", .. world.WorldOptions("audit")]);

        clean.Code.Should().Be(0, clean.Stdout + clean.Stderr);
        var cleanRoot = JsonDocument.Parse(clean.Stdout).RootElement;
        cleanRoot.GetProperty("findings").GetArrayLength().Should().Be(0);
        broken.Code.Should().Be(1, broken.Stdout + broken.Stderr);
        var root = JsonDocument.Parse(broken.Stdout).RootElement;
        root.EnumerateObject().Select(p => p.Name).Should().Equal("domain", "findings", "summary");
        var findings = root.GetProperty("findings").EnumerateArray().ToList();
        findings.Select(f => string.Join(",", f.EnumerateObject().Select(p => p.Name))).Should().AllBe("severity,code,subject,detail");
        findings.Select(f => f.GetProperty("code").GetString()).Should().BeEquivalentTo("txt-invalid", "tlsrpt-missing");
        root.GetProperty("summary").GetProperty("errors").GetInt32().Should().Be(1);
        root.GetProperty("summary").GetProperty("warnings").GetInt32().Should().Be(1);
    }
}
