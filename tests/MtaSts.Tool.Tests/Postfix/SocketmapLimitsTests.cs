using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using MtaSts.Tool.Postfix;
using MtaSts.Tool.Tests.Infrastructure;

namespace MtaSts.Tool.Tests.Postfix;

/// <summary>
/// What a local client cannot do to the daemon: connect through a Unix socket it is not allowed to, hold a connection
/// with silence, a trickle of bytes or unread replies, or get a connection beyond the limit queued without an answer;
/// and a connection that fails unexpectedly is logged, not swallowed.
/// </summary>
public sealed class SocketmapLimitsTests : ToolWorldTest
{
    private const string Enforce = "OK secure match=mail.example.com servername=hostname";

    [Fact]
    public void Settings_Defaults_SocketForOwnerAndGroupAndIdleTimeoutOf30Seconds()
    {
        List<string> problems = [];

        var settings = PostfixDaemonSettings.Read(new ConfigurationBuilder().Build(), problems);

        problems.Should().BeEmpty();
        settings.UnixSocketMode.Should().Be(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.GroupWrite,
            "0660: other local users may not connect");
        settings.IdleTimeout.Should().Be(TimeSpan.FromSeconds(30), "Postfix's client drops idle connections after 10 s and retries once on a closed one");
    }

    [Fact]
    public async Task UnixSocket_NoModeConfigured_IsNotOpenToOtherUsers()
    {
        await World.PublishCleanAsync();
        await using var daemon = await RunningDaemon.StartAsync(World);
        using var client = await daemon.ConnectAsync(unix: true);
        (await client.QueryAsync("postfix", "example.com")).Should().Be(Enforce);

        OperatingSystem.IsWindows().Should().BeFalse("the daemon runs where Postfix does");
#pragma warning disable CA1416 // guarded above
        var mode = File.GetUnixFileMode(daemon.UnixPath);
#pragma warning restore CA1416
        (mode & (UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute)).Should().Be(UnixFileMode.None, $"the socket's mode is {mode}");
        mode.Should().HaveFlag(UnixFileMode.GroupWrite, "Postfix connects as a member of the socket's group");
    }

    [Theory]
    [InlineData("4777")]    // setuid bit and world-writable: beyond 0777
    [InlineData("100000")]  // not a file mode at all
    public async Task Command_UnixSocketModeOutOfRange_ExitsWithUsageNamingTheKey(string mode)
    {
        var errors = new StringWriter();

        var code = await ToolApp.RunAsync(["postfix-daemon", $"--Postfix:UnixSocketMode={mode}"], new StringWriter(), errors);

        code.Should().Be(2);
        errors.ToString().Should().Contain("Postfix:UnixSocketMode").And.Contain("0777");
    }

    [Fact]
    public async Task TrickleOfBytes_RequestNotCompleteWithinIdleTimeout_ConnectionClosed()
    {
        await World.PublishCleanAsync();
        await using var daemon = await RunningDaemon.StartAsync(World, "--Postfix:IdleTimeout=1");
        using var client = await daemon.ConnectAsync();
        var request = Encoding.ASCII.GetBytes(SocketmapClient.Encode("postfix example.com"));

        try
        {
            foreach (var b in request)
            {
                await client.SendRawAsync([b]); // one byte every 250 ms: the whole request takes about 6 s
                await Task.Delay(250);
            }
        }
        catch (SocketException)
        {
            // The daemon closed the connection while the client was still sending.
        }

        (await client.IsClosedAsync(TimeSpan.FromSeconds(10))).Should().BeTrue("each request must be complete within IdleTimeout; bytes that trickle in do not extend it");
    }

    [Fact]
    public async Task ClientThatReadsNoReplies_IsClosedAfterIdleTimeout()
    {
        await using var daemon = await RunningDaemon.StartAsync(World, "--Postfix:IdleTimeout=1");
        using var client = await daemon.ConnectAsync(unix: true);
        var burst = Encoding.ASCII.GetBytes(string.Concat(Enumerable.Repeat(SocketmapClient.Encode("postfix [192.0.2.1]"), 10_000)));

        // Pipelined requests whose replies are never read: the daemon's replies fill the socket buffers, its send
        // stalls, and so does its reading; the client's send stalls in turn until the daemon closes the connection.
        var flood = Task.Run(async () =>
        {
            try
            {
                for (var i = 0; i < 100; i++)
                {
                    await client.SendRawAsync(burst);
                }

                return "sent everything";
            }
            catch (SocketException ex)
            {
                return ex.SocketErrorCode.ToString();
            }
        });

        var completed = await Task.WhenAny(flood, Task.Delay(TimeSpan.FromSeconds(30)));
        completed.Should().BeSameAs(flood, "a reply that cannot be sent within IdleTimeout closes the connection, freeing its slot");
        (await flood).Should().NotBe("sent everything", "the daemon stopped reading while its replies were not read");
        (await daemon.QueryAsync("[192.0.2.2]")).Should().Be("NOTFOUND ", "other connections are served");
    }

    [Fact]
    public async Task ConnectionOverTheLimit_GetsTempAndIsClosedAtOnce_Logged()
    {
        await World.PublishCleanAsync();
        var log = new CapturedLog();
        await using var daemon = await RunningDaemon.StartAsync(World, log, "--Postfix:MaxConnections=1");
        var first = await daemon.ConnectAsync();
        (await first.QueryAsync("postfix", "example.com")).Should().Be(Enforce);

        using (var second = await daemon.ConnectAsync(unix: true)) // one limit for every listener
        {
            (await second.ReadReplyAsync()).Should().StartWith("TEMP ", "Postfix defers the lookup and logs why").And.Contain("all 1 connections");
            (await second.IsClosedAsync(TimeSpan.FromSeconds(10))).Should().BeTrue("closed at once, not left in the backlog");
        }

        log.Lines.Should().Contain(l => l.Contains("refused with TEMP: all 1 connections are in use", StringComparison.Ordinal));
        (await first.QueryAsync("postfix", "example.com")).Should().Be(Enforce, "the connection holding the slot is served on");

        first.Dispose();
        string? reply = null;
        for (var attempt = 0; attempt < 100 && reply != Enforce; attempt++)
        {
            await Task.Delay(50); // until the daemon has seen the first connection close
            reply = await daemon.QueryAsync("example.com");
        }

        reply.Should().Be(Enforce, "the freed slot serves a new connection");
    }

    [Fact]
    public async Task ConnectionEndsWithUnexpectedException_LoggedWithTheException()
    {
        var log = new CapturedLog();
        await using var daemon = await RunningDaemon.StartAsync(World, log, s => s.AddSingleton<IMtaStsEnforcer>(new BrokenEnforcer()));
        using var client = await daemon.ConnectAsync();

        await client.SendRawAsync(SocketmapClient.Encode("postfix example.com"));

        (await client.IsClosedAsync(TimeSpan.FromSeconds(10))).Should().BeTrue("the failure ends that connection");
        var logged = false;
        for (var attempt = 0; attempt < 100 && !logged; attempt++)
        {
            logged = log.Lines.Any(l => l.Contains("socketmap connection failed", StringComparison.Ordinal)
                && l.Contains("InvalidOperationException: enforcer bug", StringComparison.Ordinal));
            await Task.Delay(logged ? 0 : 50);
        }

        logged.Should().BeTrue("an unexpected exception is logged with its type and message: " + string.Join(" | ", log.Lines));
        (await daemon.QueryAsync("[192.0.2.1]")).Should().Be("NOTFOUND ", "the daemon goes on serving");
    }

    [Fact]
    public async Task AcceptFails_RetriedAfterADelayThatDoublesUpToOneSecond()
    {
        var log = new CapturedLog();
        await using var daemon = await RunningDaemon.StartAsync(World, log);
        var tcp = daemon.Host.Services.GetRequiredService<SocketmapServer>().Listeners.Single(s => s.AddressFamily == AddressFamily.InterNetwork);

        tcp.Shutdown(SocketShutdown.Both); // Linux: the listener leaves LISTEN and every accept fails at once (EINVAL), as EMFILE does

        List<string> failures = [];
        for (var attempt = 0; attempt < 200 && failures.Count < 6; attempt++)
        {
            await Task.Delay(50);
            failures = [.. log.Lines.Where(l => l.Contains("accept on inet:", StringComparison.Ordinal))];
        }

        failures.Select(l => l[(l.LastIndexOf("retrying in ", StringComparison.Ordinal) + 12)..]).Take(6)
            .Should().Equal(["100 ms", "200 ms", "400 ms", "800 ms", "1000 ms", "1000 ms"], "each failure in a row waits twice as long, at most 1 s, instead of spinning");
        using var client = await daemon.ConnectAsync(unix: true);
        (await client.QueryAsync("postfix", "[192.0.2.1]")).Should().Be("NOTFOUND ", "the other listener goes on serving");
    }

    /// <summary>An enforcer with a bug: the unit seam that makes a connection fail with a non-socket exception.</summary>
    private sealed class BrokenEnforcer : IMtaStsEnforcer
    {
        public ValueTask<MtaStsPolicyState> GetPolicyAsync(string recipientDomain, CancellationToken cancellationToken = default) =>
            throw new InvalidOperationException("enforcer bug");

        public ValueTask<MtaStsPolicyState> RecheckAsync(string recipientDomain, CancellationToken cancellationToken = default) =>
            throw new InvalidOperationException("enforcer bug");

        public ValueTask InvalidateAsync(string recipientDomain, CancellationToken cancellationToken = default) => ValueTask.CompletedTask;
    }
}
