using System.Net;
using System.Net.Sockets;

namespace MtaSts.Testing;

/// <summary>A UDP port on 127.0.0.1 that receives DNS queries and never answers.</summary>
public sealed class SilentDnsServer : IDisposable
{
    private readonly UdpClient _socket = new(new IPEndPoint(IPAddress.Loopback, 0));

    public IPEndPoint EndPoint => (IPEndPoint)_socket.Client.LocalEndPoint!;

    public void Dispose() => _socket.Dispose();
}
