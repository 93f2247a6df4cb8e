using System.Collections.Concurrent;
using System.Text;

namespace MtaSts.Testing;

/// <summary>
/// A plain-HTTP listener on 127.0.0.1 for the URLs a certificate carries (AIA caIssuers, OCSP, CRL distribution
/// points): it serves fixed bytes per path (404 otherwise) and counts every request, so a test can prove that
/// certificate validation fetched nothing, or that it did.
/// </summary>
public sealed class LoopbackUrlListener : IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, (string ContentType, byte[] Body)> _content = new(StringComparer.Ordinal);
    private readonly RawTlsServer _server;
    private int _requests;

    public LoopbackUrlListener() => _server = new RawTlsServer(null, ServeAsync);

    /// <summary>Requests received so far (one per connection: every answer closes it).</summary>
    public int Requests => Volatile.Read(ref _requests);

    /// <summary>The absolute URL of <paramref name="path"/> at this listener.</summary>
    public string Url(string path) => $"http://127.0.0.1:{_server.Port}/{path.TrimStart('/')}";

    /// <summary>Serves <paramref name="body"/> at <paramref name="path"/>.</summary>
    public void Serve(string path, string contentType, byte[] body) => _content["/" + path.TrimStart('/')] = (contentType, body);

    public ValueTask DisposeAsync() => _server.DisposeAsync();

    private async Task ServeAsync(Stream stream, CancellationToken cancellationToken)
    {
        var head = new byte[8 * 1024];
        var total = 0;
        while (total < head.Length && head.AsSpan(0, total).IndexOf("\r\n\r\n"u8) < 0)
        {
            var read = await stream.ReadAsync(head.AsMemory(total), cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                break;
            }

            total += read;
        }

        Interlocked.Increment(ref _requests);
        var requestLine = Encoding.ASCII.GetString(head, 0, total).Split("\r\n")[0].Split(' ');
        var path = requestLine.Length > 1 ? requestLine[1] : "/";
        var (status, type, body) = _content.TryGetValue(path, out var c) ? ("200 OK", c.ContentType, c.Body) : ("404 Not Found", "text/plain", []);
        var header = $"HTTP/1.1 {status}\r\nContent-Type: {type}\r\nContent-Length: {body.Length}\r\nConnection: close\r\n\r\n";
        await stream.WriteAsync(Encoding.ASCII.GetBytes(header), cancellationToken).ConfigureAwait(false);
        await stream.WriteAsync(body, cancellationToken).ConfigureAwait(false);
    }
}
