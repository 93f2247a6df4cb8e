using System.Net;
using System.Net.Sockets;
using System.Text;
using MtaSts.Testing;

namespace MtaSts.MailKit.Tests;

/// <summary>A plain HTTP listener that records every request and never answers: a fetch shows up here, and stalls.</summary>
public sealed class FetchTrap : BackgroundServer
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly List<string> _requests = [];

    public FetchTrap()
    {
        _listener.Start();
        Run(AcceptAsync);
    }

    public Uri BaseUri => new($"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}/");

    /// <summary>The request lines received so far.</summary>
    public IReadOnlyList<string> Requests
    {
        get
        {
            lock (_requests)
            {
                return [.. _requests];
            }
        }
    }

    protected override void CloseListener() => _listener.Stop();

    private async Task AcceptAsync(CancellationToken stopping)
    {
        while (!stopping.IsCancellationRequested)
        {
            var client = await _listener.AcceptTcpClientAsync(stopping).ConfigureAwait(false);
            lock (_requests)
            {
                _requests.Add("(connection)");
            }

            _ = HoldAsync(client, stopping);
        }
    }

    private async Task HoldAsync(TcpClient client, CancellationToken stopping)
    {
        using (client)
        {
            try
            {
                var line = await ReadLineAsync(client.GetStream(), stopping).ConfigureAwait(false);
                lock (_requests)
                {
                    _requests.Add(line ?? "(nothing)");
                }

                await Task.Delay(Timeout.Infinite, stopping).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is IOException or OperationCanceledException or ObjectDisposedException)
            {
                // Released at dispose.
            }
        }
    }

    private static async Task<string?> ReadLineAsync(Stream stream, CancellationToken stopping)
    {
        var buffer = new byte[1024];
        var read = await stream.ReadAsync(buffer, stopping).ConfigureAwait(false);
        return read == 0 ? null : Encoding.ASCII.GetString(buffer, 0, read).Split("\r\n")[0];
    }
}
