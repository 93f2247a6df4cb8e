using System.Net;
using System.Net.Sockets;
using System.Text;

namespace MtaSts.Tool.Tests.Infrastructure;

/// <summary>An SMTP server that offers STARTTLS in EHLO and then refuses it with 454, as a broken TLS setup does.</summary>
public sealed class StartTlsRefusingServer : IAsyncDisposable
{
    private readonly TcpListener _listener;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    private StartTlsRefusingServer(IPAddress address, int port)
    {
        Address = address;
        _listener = new TcpListener(address, port);
        _listener.Start();
        _loop = AcceptAsync();
    }

    public IPAddress Address { get; }

    public static Task<StartTlsRefusingServer> StartAsync(IPAddress address, int port) => Task.FromResult(new StartTlsRefusingServer(address, port));

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        try
        {
            await _loop;
        }
        catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
        {
            // stopped
        }

        _stop.Dispose();
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            using var client = await _listener.AcceptTcpClientAsync(_stop.Token);
            await using var stream = client.GetStream();
            using var reader = new StreamReader(stream, Encoding.ASCII);
            await WriteAsync(stream, "220 refusing.example ESMTP\r\n");
            while (await reader.ReadLineAsync(_stop.Token) is { } line)
            {
                var verb = line.Split(' ')[0].ToUpperInvariant();
                await WriteAsync(stream, verb switch
                {
                    "EHLO" => "250-refusing.example\r\n250-PIPELINING\r\n250 STARTTLS\r\n",
                    "STARTTLS" => "454 4.7.0 TLS not available due to local problem\r\n",
                    "QUIT" => "221 bye\r\n",
                    _ => "502 5.5.2 no\r\n",
                });
                if (verb == "QUIT")
                {
                    break;
                }
            }
        }
    }

    private async Task WriteAsync(Stream stream, string text) => await stream.WriteAsync(Encoding.ASCII.GetBytes(text), _stop.Token);
}
