using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace MtaSts.Testing;

/// <summary>
/// A real <c>redis-server</c> (Debian's package, installed by .ci/run) started on a free port of 127.0.0.1, with no
/// persistence, and stopped on dispose.
/// </summary>
public sealed class LoopbackRedisServer : IDisposable
{
    private readonly Process _process;

    private LoopbackRedisServer(Process process, int port)
    {
        _process = process;
        Port = port;
    }

    public int Port { get; }

    public string Configuration => $"127.0.0.1:{Port}";

    public static async Task<LoopbackRedisServer> StartAsync()
    {
        var port = LoopbackPorts.FreePort(IPAddress.Loopback);
        var start = new ProcessStartInfo("redis-server", $"--port {port} --bind 127.0.0.1 --save \"\" --appendonly no --protected-mode yes")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        var process = Process.Start(start) ?? throw new InvalidOperationException("redis-server did not start");
        var server = new LoopbackRedisServer(process, port);
        for (var attempt = 0; attempt < 100; attempt++)
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"redis-server exited: {await process.StandardOutput.ReadToEndAsync()}");
            }

            try
            {
                using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                await socket.ConnectAsync(IPAddress.Loopback, port);
                return server;
            }
            catch (SocketException)
            {
                await Task.Delay(50);
            }
        }

        server.Dispose();
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
