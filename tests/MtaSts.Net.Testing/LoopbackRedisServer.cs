using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace MtaSts.Testing;

/// <summary>
/// A real <c>redis-server</c> (Debian's package, installed by .ci/run) started on a free port of 127.0.0.1, with no
/// persistence, and stopped on dispose. Faults by signal: <see cref="Pause"/> (SIGSTOP: hung, connections stay open
/// and unanswered), <see cref="Kill"/> (SIGKILL: dead), and <see cref="RestartAsync"/> on the same port.
/// </summary>
public sealed class LoopbackRedisServer : IDisposable
{
    private Process _process;

    private LoopbackRedisServer(Process process, int port)
    {
        _process = process;
        Port = port;
    }

    public int Port { get; }

    public string Configuration => $"127.0.0.1:{Port}";

    /// <summary>The server's process id, for signals.</summary>
    public int ProcessId => _process.Id;

    public static async Task<LoopbackRedisServer> StartAsync()
    {
        var port = LoopbackPorts.FreePort(IPAddress.Loopback);
        var server = new LoopbackRedisServer(Launch(port), port);
        try
        {
            await server.WaitUntilListeningAsync();
            return server;
        }
        catch
        {
            server.Dispose();
            throw;
        }
    }

    /// <summary>SIGSTOP: the process hangs; connections are accepted by the kernel and never answered.</summary>
    public void Pause() => Signal("STOP");

    /// <summary>SIGCONT after <see cref="Pause"/>.</summary>
    public void Resume() => Signal("CONT");

    /// <summary>SIGKILL: the server is dead, its port refuses connections.</summary>
    public void Kill()
    {
        if (!_process.HasExited)
        {
            _process.Kill(); // SIGKILL on Unix
            _process.WaitForExit(5000);
        }
    }

    /// <summary>Starts a fresh, empty server on the same port (after <see cref="Kill"/>).</summary>
    public async Task RestartAsync()
    {
        Kill();
        _process.Dispose();
        _process = Launch(Port);
        await WaitUntilListeningAsync();
    }

    private void Signal(string signal)
    {
        using var kill = Process.Start(new ProcessStartInfo("kill", $"-{signal} {_process.Id}") { UseShellExecute = false })
            ?? throw new InvalidOperationException("kill did not start");
        kill.WaitForExit(5000);
        if (kill.ExitCode != 0)
        {
            throw new InvalidOperationException($"kill -{signal} {_process.Id} failed: {kill.ExitCode}");
        }
    }

    private static Process Launch(int port)
    {
        var start = new ProcessStartInfo("redis-server", $"--port {port} --bind 127.0.0.1 --save \"\" --appendonly no --protected-mode yes")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        return Process.Start(start) ?? throw new InvalidOperationException("redis-server did not start");
    }

    private async Task WaitUntilListeningAsync()
    {
        for (var attempt = 0; attempt < 100; attempt++)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"redis-server exited: {await _process.StandardOutput.ReadToEndAsync()}");
            }

            try
            {
                using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                await socket.ConnectAsync(IPAddress.Loopback, Port);
                return;
            }
            catch (SocketException)
            {
                await Task.Delay(50);
            }
        }

        throw new TimeoutException("redis-server did not listen within 5 s");
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit(5000);
        }

        _process.Dispose();
    }
}
