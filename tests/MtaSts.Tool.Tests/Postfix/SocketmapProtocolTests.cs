using System.Text;
using MtaSts.Tool.Tests.Infrastructure;

namespace MtaSts.Tool.Tests.Postfix;

/// <summary>The socketmap framing over a real socket (socketmap_table(5)): netstrings split, pipelined, oversized,
/// malformed; unknown map names; idle clients; shutdown. Limits and failures: SocketmapLimitsTests.</summary>
public sealed class SocketmapProtocolTests : ToolWorldTest
{
    private const string Enforce = "OK secure match=mail.example.com servername=hostname";

    [Fact]
    public async Task Query_SplitAcrossReads_IsAnswered()
    {
        await World.PublishCleanAsync();
        await using var daemon = await RunningDaemon.StartAsync(World);
        using var client = await daemon.ConnectAsync();
        var request = SocketmapClient.Encode("postfix example.com");

        foreach (var part in new[] { request[..1], request[1..3], request[3..12], request[12..] })
        {
            await client.SendRawAsync(part);
            await Task.Delay(30); // separate segments: the daemon sees the netstring in four reads
        }

        (await client.ReadReplyAsync()).Should().Be(Enforce);
    }

    [Fact]
    public async Task Queries_PipelinedInOneWrite_AreAnsweredInOrder()
    {
        await World.PublishCleanAsync();
        await using var daemon = await RunningDaemon.StartAsync(World);
        using var client = await daemon.ConnectAsync();

        await client.SendRawAsync(SocketmapClient.Encode("postfix example.com") + SocketmapClient.Encode("postfix [192.0.2.1]")
            + SocketmapClient.Encode("nosuchmap example.com") + SocketmapClient.Encode("postfix example.com"));

        (await client.ReadReplyAsync()).Should().Be(Enforce);
        (await client.ReadReplyAsync()).Should().Be("NOTFOUND ");
        (await client.ReadReplyAsync()).Should().StartWith("PERM ", "a map name no zone serves is a lookup error");
        (await client.ReadReplyAsync()).Should().Be(Enforce);
    }

    [Theory]
    [InlineData("99999:postfix example.com,")]       // announced length over MaxRequestBytes
    [InlineData("2000:")]                            // over the limit before any payload arrives
    [InlineData("abc:postfix example.com,")]         // no length
    [InlineData("019:postfix example.com,")]         // leading zero
    [InlineData("19:postfix example.com;")]          // no comma
    public async Task BadNetstring_ClosesThatConnectionOnly(string bad)
    {
        await World.PublishCleanAsync();
        await using var daemon = await RunningDaemon.StartAsync(World);
        using var other = await daemon.ConnectAsync();
        using var client = await daemon.ConnectAsync();

        await client.SendRawAsync(bad);

        (await client.IsClosedAsync(TimeSpan.FromSeconds(10))).Should().BeTrue("a framing error ends the connection");
        (await other.QueryAsync("postfix", "example.com")).Should().Be(Enforce, "other connections carry on");
        (await daemon.QueryAsync("example.com")).Should().Be(Enforce, "new connections are served");
    }

    [Theory]
    [InlineData("postfix")]            // no key
    [InlineData("postfix ")]           // empty key
    [InlineData(" example.com")]       // empty name
    public async Task Request_WithoutNameAndKey_IsPermAndKeepsTheConnection(string payload)
    {
        await World.PublishCleanAsync();
        await using var daemon = await RunningDaemon.StartAsync(World);
        using var client = await daemon.ConnectAsync();

        await client.SendRawAsync(SocketmapClient.Encode(payload));

        (await client.ReadReplyAsync()).Should().StartWith("PERM ");
        (await client.QueryAsync("postfix", "example.com")).Should().Be(Enforce);
    }

    [Fact]
    public async Task IdleClient_IsDisconnectedAfterIdleTimeout()
    {
        await World.PublishCleanAsync();
        await using var daemon = await RunningDaemon.StartAsync(World, "--Postfix:IdleTimeout=0.3");
        using var client = await daemon.ConnectAsync();
        (await client.QueryAsync("postfix", "example.com")).Should().Be(Enforce);

        (await client.IsClosedAsync(TimeSpan.FromSeconds(15))).Should().BeTrue("the client sent nothing for longer than IdleTimeout");
    }

    [Fact]
    public async Task UnixSocket_AnswersAndHasTheConfiguredMode()
    {
        await World.PublishCleanAsync();
        await using var daemon = await RunningDaemon.StartAsync(World, "--Postfix:UnixSocketMode=0660");
        using var client = await daemon.ConnectAsync(unix: true);

        (await client.QueryAsync("postfix", "example.com")).Should().Be(Enforce);
        OperatingSystem.IsWindows().Should().BeFalse("the daemon runs where Postfix does");
#pragma warning disable CA1416 // guarded above
        File.GetUnixFileMode(daemon.UnixPath).Should().Be(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.GroupWrite);
#pragma warning restore CA1416
    }

    [Fact]
    public async Task Stop_ClosesConnectionsAndRemovesTheSocketFile()
    {
        await World.PublishCleanAsync();
        var daemon = await RunningDaemon.StartAsync(World);
        using var client = await daemon.ConnectAsync();
        (await client.QueryAsync("postfix", "example.com")).Should().Be(Enforce);

        await daemon.DisposeAsync();

        (await client.IsClosedAsync(TimeSpan.FromSeconds(15))).Should().BeTrue("an idle connection is closed at shutdown");
        File.Exists(daemon.UnixPath).Should().BeFalse("the socket file is removed");
        var connect = async () => await SocketmapClient.ConnectAsync(daemon.Tcp);
        await connect.Should().ThrowAsync<System.Net.Sockets.SocketException>("the listener is closed");
    }

    [Theory]
    [InlineData("--Postfix:MaxConnections=0", "Postfix:MaxConnections")]
    [InlineData("--Postfix:Listen:0=tcp:127.0.0.1:8461", "Postfix:Listen")]
    [InlineData("--Postfix:Zones:postfix:Timeout=soon", "Postfix:Zones:postfix:Timeout")]
    [InlineData("--Postfix:DefaultZone:StrictTesting=maybe", "Postfix:DefaultZone:StrictTesting")]
    [InlineData("--Postfix:UnixSocketMode=999", "Postfix:UnixSocketMode")]
    public async Task Command_BadSetting_ExitsWithUsageNamingTheKey(string setting, string key)
    {
        var output = new StringWriter();
        var errors = new StringWriter();

        var code = await ToolApp.RunAsync(["postfix-daemon", setting], output, errors);

        code.Should().Be(2);
        errors.ToString().Should().Contain(key);
    }

    [Fact]
    public async Task Command_Help_PrintsTheSettings()
    {
        var output = new StringWriter();

        var code = await ToolApp.RunAsync(["postfix-daemon", "--help"], output, new StringWriter());

        code.Should().Be(0);
        output.ToString().Should().Contain("smtp_tls_policy_maps = socketmap:inet:127.0.0.1:8461:postfix");
    }
}
