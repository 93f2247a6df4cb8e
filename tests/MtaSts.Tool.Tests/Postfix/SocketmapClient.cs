using System.Net;
using System.Net.Sockets;
using System.Text;

namespace MtaSts.Tool.Tests.Postfix;

/// <summary>A raw socketmap client for tests: writes any bytes, reads netstring replies, bounded in time.</summary>
internal sealed class SocketmapClient : IDisposable
{
    private static readonly TimeSpan ReadLimit = TimeSpan.FromSeconds(20);
    private readonly Socket _socket;
    private readonly byte[] _buffer = new byte[200_000];
    private int _start;
    private int _end;

    private SocketmapClient(Socket socket) => _socket = socket;

    public static async Task<SocketmapClient> ConnectAsync(EndPoint endPoint)
    {
        var socket = endPoint is UnixDomainSocketEndPoint
            ? new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified)
            : new Socket(endPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        using var limit = new CancellationTokenSource(ReadLimit);
        await socket.ConnectAsync(endPoint, limit.Token);
        return new SocketmapClient(socket);
    }

    /// <summary>Bytes received and not read yet.</summary>
    public int Available => _socket.Available + (_end - _start);

    public static string Encode(string payload) => $"{Encoding.UTF8.GetByteCount(payload)}:{payload},";

    public Task SendRawAsync(string text) => SendRawAsync(Encoding.UTF8.GetBytes(text));

    public async Task SendRawAsync(byte[] bytes)
    {
        var sent = 0;
        while (sent < bytes.Length)
        {
            sent += await _socket.SendAsync(bytes.AsMemory(sent), SocketFlags.None);
        }
    }

    /// <summary>Sends one request and reads its reply.</summary>
    public async Task<string?> QueryAsync(string map, string key)
    {
        await SendRawAsync(Encode($"{map} {key}"));
        return await ReadReplyAsync();
    }

    /// <summary>The next reply's payload, or <see langword="null"/> when the daemon closed the connection first.</summary>
    public async Task<string?> ReadReplyAsync(TimeSpan? limit = null)
    {
        using var cts = new CancellationTokenSource(limit ?? ReadLimit);
        while (true)
        {
            var colon = Array.IndexOf(_buffer, (byte)':', _start, _end - _start);
            if (colon > 0)
            {
                var length = int.Parse(Encoding.ASCII.GetString(_buffer, _start, colon - _start), System.Globalization.CultureInfo.InvariantCulture);
                if (_end - colon - 1 >= length + 1)
                {
                    _buffer[colon + 1 + length].Should().Be((byte)',', "every reply is a netstring");
                    var payload = Encoding.UTF8.GetString(_buffer, colon + 1, length);
                    _start = colon + 2 + length;
                    return payload;
                }
            }

            var read = await _socket.ReceiveAsync(_buffer.AsMemory(_end), SocketFlags.None, cts.Token);
            if (read == 0)
            {
                return null;
            }

            _end += read;
        }
    }

    /// <summary>Whether the daemon closed the connection (end of stream or reset) within the limit.</summary>
    public async Task<bool> IsClosedAsync(TimeSpan limit)
    {
        try
        {
            return await ReadReplyAsync(limit) is null;
        }
        catch (SocketException)
        {
            return true; // reset
        }
    }

    public void Dispose() => _socket.Dispose();
}
