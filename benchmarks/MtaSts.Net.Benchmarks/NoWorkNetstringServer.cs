using System.Net;
using System.Net.Sockets;

namespace MtaSts.Benchmarks;

/// <summary>
/// The physical limit for a socketmap daemon on this machine: a TCP server on loopback, with the same async socket
/// calls and pooled buffer as the daemon, that finds the end of each netstring and sends a fixed reply of the
/// daemon's length without doing any work.
/// </summary>
internal sealed class NoWorkNetstringServer : IDisposable
{
    private readonly Socket _listener = new(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
    private readonly byte[] _reply;
    private readonly CancellationTokenSource _stop = new();

    public NoWorkNetstringServer(byte[] reply)
    {
        _reply = reply;
        _listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        _listener.Listen(512);
        EndPoint = (IPEndPoint)_listener.LocalEndPoint!;
        _ = AcceptAsync();
    }

    public IPEndPoint EndPoint { get; }

    public void Dispose()
    {
        _stop.Cancel();
        _listener.Dispose();
        _stop.Dispose();
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await _listener.AcceptAsync(_stop.Token).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                return;
            }

            client.NoDelay = true;
            _ = ServeAsync(client);
        }
    }

    private async Task ServeAsync(Socket client)
    {
        await Task.Yield();
        var buffer = System.Buffers.ArrayPool<byte>.Shared.Rent(2048);
        var end = 0;
        try
        {
            while (true)
            {
                var read = await client.ReceiveAsync(buffer.AsMemory(end), SocketFlags.None, _stop.Token).ConfigureAwait(false);
                if (read == 0)
                {
                    return;
                }

                end += read;
                var comma = Array.IndexOf(buffer, (byte)',', 0, end);
                while (comma >= 0)
                {
                    await client.SendAsync(_reply.AsMemory(), SocketFlags.None).ConfigureAwait(false);
                    Buffer.BlockCopy(buffer, comma + 1, buffer, 0, end - comma - 1);
                    end -= comma + 1;
                    comma = Array.IndexOf(buffer, (byte)',', 0, end);
                }
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException or SocketException)
        {
            // Stopped.
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(buffer);
            client.Dispose();
        }
    }
}
