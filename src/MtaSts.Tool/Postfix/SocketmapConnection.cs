using System.Buffers;
using System.Net.Sockets;

namespace MtaSts.Tool.Postfix;

/// <summary>
/// One client connection: reads netstrings (split across reads or several in one read: pipelining), answers each in
/// order, and closes on a malformed or oversized netstring, on end of stream, at shutdown, or when the next request is
/// not complete within the idle timeout of the connect or the last reply (a trickle of bytes does not keep it open).
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
        using var waiting = CancellationTokenSource.CreateLinkedTokenSource(stopping); // for the next request
        using var sending = new CancellationTokenSource(); // for a reply: a client that reads nothing does not hold its slot
        int start = 0, end = 0;
        waiting.CancelAfter(settings.IdleTimeout);
        try
        {
            while (true)
            {
                var answered = false;
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

                    // An answer already being prepared is finished and sent even while stopping (bounded by the zone
                    // timeout, then by the idle timeout for the send); the wait for the next request pauses meanwhile.
                    waiting.CancelAfter(Timeout.InfiniteTimeSpan);
                    var reply = await responder.AnswerAsync(buffer.AsMemory(start + offset, length), scratch).ConfigureAwait(false);
                    sending.CancelAfter(settings.IdleTimeout);
                    try
                    {
                        await SendAllAsync(socket, reply, sending.Token).ConfigureAwait(false);
                    }
                    catch (OperationCanceledException)
                    {
                        return Ending.Idle;
                    }

                    sending.CancelAfter(Timeout.InfiniteTimeSpan);
                    start += consumed;
                    answered = true;
                }

                if (answered)
                {
                    waiting.CancelAfter(settings.IdleTimeout); // the next request's time starts with the last reply
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

                int read;
                try
                {
                    read = await socket.ReceiveAsync(buffer.AsMemory(end), SocketFlags.None, waiting.Token).ConfigureAwait(false);
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

    private static async ValueTask SendAllAsync(Socket socket, byte[] reply, CancellationToken cancellationToken)
    {
        var sent = 0;
        while (sent < reply.Length)
        {
            sent += await socket.SendAsync(reply.AsMemory(sent), SocketFlags.None, cancellationToken).ConfigureAwait(false);
        }
    }
}
