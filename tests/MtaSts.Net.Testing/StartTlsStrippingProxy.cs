using System.Net;
using System.Net.Sockets;
using System.Text;

namespace MtaSts.Testing;

/// <summary>
/// An on-path attacker: a TCP proxy in front of an SMTP server that replaces <c>STARTTLS</c> with <c>XXXXXXXA</c> in
/// what the server says, so a client never sees STARTTLS offered. Counts the bytes it relayed.
/// </summary>
public sealed class StartTlsStrippingProxy : BackgroundServer
{
    private const string StartTls = "STARTTLS";
    private const string Garbage = "XXXXXXXA"; // same length, so nothing else in the reply moves
    private readonly TcpListener _listener;
    private readonly IPEndPoint _upstream;
    private int _rewrites;

    public StartTlsStrippingProxy(IPEndPoint listen, IPEndPoint upstream)
    {
        _upstream = upstream;
        _listener = new TcpListener(listen);
        _listener.Start();
        EndPoint = (IPEndPoint)_listener.LocalEndpoint;
        Run(AcceptAsync);
    }

    public IPEndPoint EndPoint { get; }

    /// <summary>How many replies the proxy rewrote.</summary>
    public int Rewrites => _rewrites;

    protected override void CloseListener() => _listener.Stop();

    private async Task AcceptAsync(CancellationToken stopping)
    {
        while (!stopping.IsCancellationRequested)
        {
            var client = await _listener.AcceptTcpClientAsync(stopping).ConfigureAwait(false);
            _ = RelayAsync(client, stopping);
        }
    }

    private async Task RelayAsync(TcpClient client, CancellationToken stopping)
    {
        using (client)
        using (var server = new TcpClient())
        {
            try
            {
                await server.ConnectAsync(_upstream, stopping).ConfigureAwait(false);
                var toServer = client.GetStream().CopyToAsync(server.GetStream(), stopping);
                var toClient = RewriteAsync(server.GetStream(), client.GetStream(), stopping);
                await Task.WhenAny(toServer, toClient).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
            {
                // Either side went away.
            }
        }
    }

    // SMTP replies are lines; rewrite line by line so a keyword split across reads is still caught.
    private async Task RewriteAsync(Stream from, Stream to, CancellationToken stopping)
    {
        var pending = new List<byte>();
        var buffer = new byte[4096];
        while (true)
        {
            var read = await from.ReadAsync(buffer, stopping).ConfigureAwait(false);
            if (read == 0)
            {
                return;
            }

            pending.AddRange(buffer.AsSpan(0, read));
            var end = pending.LastIndexOf((byte)'\n');
            if (end < 0)
            {
                continue;
            }

            var lines = pending.GetRange(0, end + 1).ToArray();
            pending.RemoveRange(0, end + 1);
            var text = Encoding.Latin1.GetString(lines);
            if (text.Contains(StartTls, StringComparison.Ordinal))
            {
                Interlocked.Increment(ref _rewrites);
                lines = Encoding.Latin1.GetBytes(text.Replace(StartTls, Garbage, StringComparison.Ordinal));
            }

            await to.WriteAsync(lines, stopping).ConfigureAwait(false);
        }
    }
}
