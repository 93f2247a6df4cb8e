using System.Net;
using System.Net.Http;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;

namespace MtaSts.Testing;

/// <summary>
/// A hand-driven server on 127.0.0.1 for misbehaving peers: each connection is optionally wrapped in TLS with the given
/// certificate and handed to a handler that may say anything, slowly, or nothing at all. Connections end when the
/// handler returns or the server is disposed.
/// </summary>
public sealed class RawTlsServer : BackgroundServer
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly X509Certificate2? _certificate;
    private readonly Func<Stream, CancellationToken, Task> _handler;
    private readonly bool _resetOnClose;
    private readonly X509Certificate2Collection? _intermediates;

    /// <param name="certificate">The TLS certificate; <see langword="null"/> for a plain TCP peer that never starts TLS.</param>
    /// <param name="handler">What to do with each connection (after the TLS handshake when there is a certificate).</param>
    /// <param name="resetOnClose">End each connection with a TCP reset (RST) instead of an orderly close (FIN), also when
    /// the TLS handshake fails.</param>
    /// <param name="intermediates">Intermediate CA certificates sent after <paramref name="certificate"/> in the handshake.</param>
    public RawTlsServer(X509Certificate2? certificate, Func<Stream, CancellationToken, Task> handler, bool resetOnClose = false,
        X509Certificate2Collection? intermediates = null)
    {
        _intermediates = intermediates;
        _certificate = certificate;
        _handler = handler;
        _resetOnClose = resetOnClose;
        _listener.Start();
        Run(AcceptAsync);
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    public int Connections => Volatile.Read(ref _connections);

    private int _connections;

    /// <summary>Routes every policy-host connection here.</summary>
    public Func<SocketsHttpConnectionContext, CancellationToken, ValueTask<Stream>> ConnectCallback => async (_, cancellationToken) =>
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(IPAddress.Loopback, Port, cancellationToken).ConfigureAwait(false);
        return new NetworkStream(socket, ownsSocket: true);
    };

    /// <summary>Reads an HTTP request head (up to the blank line, at most 16 KiB).</summary>
    public static async Task ReadRequestHeadAsync(Stream stream, CancellationToken cancellationToken)
    {
        var buffer = new byte[16 * 1024];
        var total = 0;
        while (total < buffer.Length)
        {
            var read = await stream.ReadAsync(buffer.AsMemory(total), cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                return;
            }

            total += read;
            if (buffer.AsSpan(0, total).IndexOf("\r\n\r\n"u8) >= 0)
            {
                return;
            }
        }
    }

    protected override void CloseListener() => _listener.Stop();

    private async Task AcceptAsync(CancellationToken stopping)
    {
        while (!stopping.IsCancellationRequested)
        {
            var client = await _listener.AcceptTcpClientAsync(stopping).ConfigureAwait(false);
            Interlocked.Increment(ref _connections);
            _ = ServeAsync(client, stopping);
        }
    }

    private async Task ServeAsync(TcpClient client, CancellationToken stopping)
    {
        using (client)
        {
            if (_resetOnClose)
            {
                client.Client.LingerState = new LingerOption(true, 0); // any close sends RST
            }

            try
            {
                Stream stream = client.GetStream();
                if (_certificate is not null)
                {
                    var tls = new SslStream(stream, leaveInnerStreamOpen: false);
                    await tls.AuthenticateAsServerAsync(new SslServerAuthenticationOptions
                    {
                        // offline: the server side neither downloads intermediates nor fetches OCSP staples from the URLs
                        // in a test certificate, so a test that counts requests at those URLs sees only the client's.
                        ServerCertificateContext = SslStreamCertificateContext.Create(_certificate, _intermediates, offline: true),
                    }, stopping).ConfigureAwait(false);
                    stream = tls;
                }

                await using (stream.ConfigureAwait(false))
                {
                    await _handler(stream, stopping).ConfigureAwait(false);
                }
            }
            catch (Exception ex) when (ex is IOException or SocketException or OperationCanceledException or ObjectDisposedException
                or System.Security.Authentication.AuthenticationException)
            {
                // The client gave up, as it should.
            }

        }
    }
}
