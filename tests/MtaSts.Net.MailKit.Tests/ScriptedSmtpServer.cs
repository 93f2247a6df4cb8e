using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using MtaSts.Testing;

namespace MtaSts.MailKit.Tests;

/// <summary>
/// A hand-driven SMTP server for what SmtpServer cannot be made to do. Its TLS certificate context is built offline:
/// SmtpServer's own chain build (server side, in the same process) would fetch the certificate's AIA URLs itself and
/// spoil a "the client fetched nothing" count. It can also refuse STARTTLS or answer it with garbage.
/// </summary>
public sealed class ScriptedSmtpServer : BackgroundServer
{
    private readonly TcpListener _listener;
    private readonly SslStreamCertificateContext _context;
    private readonly StartTlsScript _script;
    private readonly bool _advertiseRequireTls;
    private int _messages;

    /// <summary>Every MAIL FROM command received, as sent.</summary>
    public System.Collections.Concurrent.ConcurrentQueue<string> MailFrom { get; } = new();

    public ScriptedSmtpServer(IPEndPoint endPoint, X509Certificate2 certificate, StartTlsScript script = StartTlsScript.Handshake, bool advertiseRequireTls = false)
    {
        _advertiseRequireTls = advertiseRequireTls;
        _context = SslStreamCertificateContext.Create(certificate, additionalCertificates: null, offline: true);
        _script = script;
        _listener = new TcpListener(endPoint);
        _listener.Start();
        Run(AcceptAsync);
    }

    /// <summary>The SNI of each TLS handshake (empty when the client sent none).</summary>
    public System.Collections.Concurrent.ConcurrentQueue<string> ServerNames { get; } = new();

    /// <summary>The address and port each client connected from.</summary>
    public System.Collections.Concurrent.ConcurrentQueue<EndPoint?> Peers { get; } = new();

    /// <summary>How many messages were accepted.</summary>
    public int Messages => Volatile.Read(ref _messages);

    protected override void CloseListener() => _listener.Stop();

    private async Task AcceptAsync(CancellationToken stopping)
    {
        while (!stopping.IsCancellationRequested)
        {
            var client = await _listener.AcceptTcpClientAsync(stopping).ConfigureAwait(false);
            Peers.Enqueue(client.Client.RemoteEndPoint);
            _ = ServeAsync(client, stopping);
        }
    }

    private async Task ServeAsync(TcpClient client, CancellationToken stopping)
    {
        using (client)
        {
            try
            {
                await ConverseAsync(client.GetStream(), stopping).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is IOException or SocketException or OperationCanceledException or ObjectDisposedException
                or System.Security.Authentication.AuthenticationException)
            {
                // The client gave up.
            }
        }
    }

    private async Task ConverseAsync(Stream stream, CancellationToken stopping)
    {
        await WriteAsync(stream, "220 mx.scripted.test ESMTP\r\n", stopping).ConfigureAwait(false);
        var secure = false;
        while (await ReadLineAsync(stream, stopping).ConfigureAwait(false) is { } line)
        {
            var verb = line.Split(' ')[0].ToUpperInvariant();
            switch (verb)
            {
                case "EHLO":
                    var requireTls = secure && _advertiseRequireTls ? "250-REQUIRETLS\r\n" : string.Empty; // RFC 8689 §4: only after STARTTLS
                    await WriteAsync(stream, secure ? $"250-mx.scripted.test\r\n{requireTls}250 8BITMIME\r\n" : "250-mx.scripted.test\r\n250-STARTTLS\r\n250 8BITMIME\r\n", stopping).ConfigureAwait(false);
                    break;
                case "MAIL":
                    MailFrom.Enqueue(line);
                    await WriteAsync(stream, "250 2.0.0 ok\r\n", stopping).ConfigureAwait(false);
                    break;
                case "STARTTLS" when _script == StartTlsScript.Refuse:
                    await WriteAsync(stream, "454 4.7.0 TLS not available now\r\n", stopping).ConfigureAwait(false);
                    break;
                case "STARTTLS" when _script == StartTlsScript.Garbage:
                    await WriteAsync(stream, "220 2.0.0 go ahead\r\nthis is not a TLS ServerHello\r\n", stopping).ConfigureAwait(false);
                    return;
                case "STARTTLS" when _script == StartTlsScript.Stall:
                    await WriteAsync(stream, "220 2.0.0 go ahead\r\n", stopping).ConfigureAwait(false);
                    await Task.Delay(Timeout.Infinite, stopping).ConfigureAwait(false);
                    return;
                case "STARTTLS":
                    await WriteAsync(stream, "220 2.0.0 go ahead\r\n", stopping).ConfigureAwait(false);
                    var tls = new SslStream(stream);
                    await tls.AuthenticateAsServerAsync(new SslServerAuthenticationOptions { ServerCertificateContext = _context }, stopping).ConfigureAwait(false);
                    ServerNames.Enqueue(tls.TargetHostName);
                    (stream, secure) = (tls, true);
                    break;
                case "DATA":
                    await WriteAsync(stream, "354 go on\r\n", stopping).ConfigureAwait(false);
                    while (await ReadLineAsync(stream, stopping).ConfigureAwait(false) is { } data && data != ".")
                    {
                    }

                    Interlocked.Increment(ref _messages);
                    await WriteAsync(stream, "250 2.0.0 queued\r\n", stopping).ConfigureAwait(false);
                    break;
                case "QUIT":
                    await WriteAsync(stream, "221 2.0.0 bye\r\n", stopping).ConfigureAwait(false);
                    return;
                default:
                    await WriteAsync(stream, "250 2.0.0 ok\r\n", stopping).ConfigureAwait(false);
                    break;
            }
        }
    }

    private static Task WriteAsync(Stream stream, string text, CancellationToken stopping) =>
        stream.WriteAsync(Encoding.ASCII.GetBytes(text), stopping).AsTask();

    // One byte at a time, so nothing past the STARTTLS line is read before the TLS handshake takes over the stream.
    private static async Task<string?> ReadLineAsync(Stream stream, CancellationToken stopping)
    {
        var line = new StringBuilder();
        var one = new byte[1];
        while (await stream.ReadAsync(one, stopping).ConfigureAwait(false) == 1)
        {
            if (one[0] == '\n')
            {
                return line.ToString().TrimEnd('\r');
            }

            line.Append((char)one[0]);
        }

        return null;
    }
}
