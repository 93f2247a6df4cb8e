using System.Net;
using System.Net.Sockets;

namespace MtaSts.Testing;

/// <summary>A UDP DNS "server" on 127.0.0.1 that answers every query with a response whose transaction id is wrong.</summary>
public sealed class MismatchedIdDnsServer : BackgroundServer
{
    private readonly UdpClient _socket = new(new IPEndPoint(IPAddress.Loopback, 0));
    public MismatchedIdDnsServer() => Run(ServeAsync);

    public IPEndPoint EndPoint => (IPEndPoint)_socket.Client.LocalEndPoint!;

    public int Queries => Volatile.Read(ref _queries);

    private int _queries;

    protected override void CloseListener() => _socket.Dispose();

    private async Task ServeAsync(CancellationToken stopping)
    {
        while (!stopping.IsCancellationRequested)
        {
            var query = await _socket.ReceiveAsync(stopping).ConfigureAwait(false);
            Interlocked.Increment(ref _queries);
            var response = query.Buffer.ToArray();
            if (response.Length < 12)
            {
                continue;
            }

            response[1] ^= 0x5A;            // another transaction id
            response[2] |= 0x80;            // QR: this is a response
            response[3] = (byte)(response[3] & 0xF0);
            await _socket.SendAsync(response, query.RemoteEndPoint, stopping).ConfigureAwait(false);
        }
    }
}
