using System.Buffers;
using System.Net.Sockets;

namespace MtaSts.Tool.Postfix;

/// <summary>
/// One client connection: reads netstrings (split across reads or several in one read: pipelining), answers each in
/// order, and closes on a malformed or oversized netstring, on end of stream, after the idle timeout or at shutdown.
/// Buffers come from the shared pools; a cached answer allocates nothing.
/// </summary>
internal static class SocketmapConnection
{
    /// <summary>The outcome of a connection, for the log.</summary>
    public enum Ending
    {
        ClientClosed,
        Malformed,
        TooLarge,
        Idle,
        Stopping,
        Error,
    }

    public static async Task<Ending> RunAsync(Socket socket, SocketmapResponder responder, PostfixDaemonSettings settings, CancellationToken stopping)
    {
        var max = settings.MaxRequestBytes;
        var buffer = ArrayPool<byte>.Shared.Rent(max + 16); // the payload, its length digits, the colon and the comma
        var scratch = ArrayPool<char>.Shared.Rent(max);
        using var idle = CancellationTokenSource.CreateLinkedTokenSource(stopping);
        int start = 0, end = 0;
        try
        {
            while (true)
            {
                while (true)
                {
                    var status = Netstring.TryRead(buffer.AsSpan(start, end - start), max, out var offset, out var length, out var consumed);
                    if (status == NetstringStatus.Incomplete)
                    {
                        break;
                    }

                    if (status != NetstringStatus.Complete)
                    {
                        return status == NetstringStatus.TooLarge ? Ending.TooLarge : Ending.Malformed;
                    }

                    // An answer already being prepared is finished and sent even while stopping (bounded by the zone timeout).
                    var reply = await responder.AnswerAsync(buffer.AsMemory(start + offset, length), scratch).ConfigureAwait(false);
                    await SendAllAsync(socket, reply).ConfigureAwait(false);
                    start += consumed;
                }

                if (start == end)
                {
                    start = end = 0;
                }
                else if (start > 0)
                {
                    Buffer.BlockCopy(buffer, start, buffer, 0, end - start); // keep the partial netstring at the front
                    end -= start;
                    start = 0;
                }

                idle.CancelAfter(settings.IdleTimeout);
                int read;
                try
                {
                    read = await socket.ReceiveAsync(buffer.AsMemory(end), SocketFlags.None, idle.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return stopping.IsCancellationRequested ? Ending.Stopping : Ending.Idle;
                }

                if (read == 0)
                {
                    return Ending.ClientClosed;
                }

                end += read;
            }
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
            return Ending.Error;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
            ArrayPool<char>.Shared.Return(scratch);
            socket.Dispose();
        }
    }

    private static async ValueTask SendAllAsync(Socket socket, byte[] reply)
    {
        var sent = 0;
        while (sent < reply.Length)
        {
            sent += await socket.SendAsync(reply.AsMemory(sent), SocketFlags.None).ConfigureAwait(false);
        }
    }
}
