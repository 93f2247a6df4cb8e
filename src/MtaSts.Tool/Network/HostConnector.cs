using System.Net;
using System.Net.Sockets;

namespace MtaSts.Tool.Network;

/// <summary>
/// Opens TCP connections to host names resolved through <see cref="ToolDns"/> (so <c>--name-server</c> decides where
/// <c>mta-sts.&lt;domain&gt;</c> and MX hosts are), each attempt bounded by the timeout, at most two addresses tried.
/// </summary>
internal sealed class HostConnector(ToolDns dns, TimeSpan timeout)
{
    public async Task<ConnectResult> ConnectAsync(string host, int port, CancellationToken cancellationToken)
    {
        var addresses = await dns.AddressesAsync(host, cancellationToken).ConfigureAwait(false);
        if (addresses.Outcome != DnsOutcome.Found)
        {
            return new ConnectResult(null, false, null, $"{host} has no address: {addresses.Error}");
        }

        string? error = null;
        foreach (var address in addresses.Values.Take(2))
        {
            var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            limit.CancelAfter(timeout);
            try
            {
                await socket.ConnectAsync(new IPEndPoint(address, port), limit.Token).ConfigureAwait(false);
                return new ConnectResult(socket, true, address, null);
            }
            catch (Exception ex) when (ex is SocketException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
            {
                socket.Dispose();
                error = ex is SocketException se ? $"{address}:{port}: {se.SocketErrorCode}" : $"{address}:{port}: no answer within {timeout.TotalSeconds:0.#} s";
            }
        }

        return new ConnectResult(null, true, null, error);
    }
}
