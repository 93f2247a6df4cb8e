using System.Diagnostics;

namespace MtaSts.Tool.Tests.Postfix;

/// <summary>The daemon as a process, the way systemd and container runtimes run it and stop it (SIGTERM).</summary>
public sealed class PostfixDaemonProcessTests
{
    [Fact]
    public async Task Sigterm_StopsGracefully_ExitCodeZeroAndSocketRemoved()
    {
        var socket = Path.Combine(Path.GetTempPath(), $"mta-sts-{Guid.NewGuid():N}.sock");
        // The tool's own build output (its runtimeconfig and dependencies), not the copy in this test's directory,
        // whose dependencies come from the ASP.NET Core shared framework this test project references.
        var tool = Path.Combine(AppContext.BaseDirectory.Replace(
            $"tests{Path.DirectorySeparatorChar}MtaSts.Tool.Tests", $"src{Path.DirectorySeparatorChar}MtaSts.Tool", StringComparison.Ordinal), "MtaSts.Tool");
        File.Exists(tool).Should().BeTrue($"the tool is built next to the tests ({tool})");
        var start = new ProcessStartInfo(tool)
        {
            ArgumentList = { "postfix-daemon", $"--Postfix:Listen:0=unix:{socket}", "--Postfix:Refresh=false", "--MtaSts:NameServers:0=127.0.0.1:9" },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var daemon = Process.Start(start)!;
        try
        {
            for (var i = 0; i < 150 && !File.Exists(socket); i++)
            {
                await Task.Delay(100);
            }

            File.Exists(socket).Should().BeTrue("the daemon listens on its Unix socket");
            using (var client = await SocketmapClient.ConnectAsync(new System.Net.Sockets.UnixDomainSocketEndPoint(socket)))
            {
                (await client.QueryAsync("postfix", "[192.0.2.1]")).Should().Be("NOTFOUND ");
            }

            using (var kill = Process.Start("kill", ["-TERM", daemon.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
            {
                await kill.WaitForExitAsync();
            }

            using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            await daemon.WaitForExitAsync(limit.Token);
            daemon.ExitCode.Should().Be(0, await daemon.StandardError.ReadToEndAsync());
            File.Exists(socket).Should().BeFalse("the socket file is removed at shutdown");
            (await daemon.StandardOutput.ReadToEndAsync()).Should().Contain("socketmap daemon stopped");
        }
        finally
        {
            if (!daemon.HasExited)
            {
                daemon.Kill(entireProcessTree: true);
            }
        }
    }
}
