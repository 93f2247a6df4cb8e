using System.Net;
using System.Net.Sockets;

namespace MtaSts.Internal;

/// <summary>Opens a TCP connection to the first of a few addresses that answers (shared by the report POSTs and the tool).</summary>
internal static class Connect
{
    /// <summary>The stream of the first address that accepts, or <see langword="null"/> with the last socket error.</summary>
    public static async Task<(Stream? Stream, SocketException? LastError)> FirstAsync(IEnumerable<IPAddress> addresses, int port,
        CancellationToken cancellationToken)
    {
        SocketException? last = null;
        foreach (var address in addresses)
        {
            var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                await socket.ConnectAsync(new IPEndPoint(address, port), cancellationToken).ConfigureAwait(false);
                return (new NetworkStream(socket, ownsSocket: true), null);
            }
            catch (SocketException ex)
            {
                socket.Dispose();
                last = ex;
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        }

        return (null, last);
    }
}
