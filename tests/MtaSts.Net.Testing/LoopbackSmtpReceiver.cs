using System.Buffers;
using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography.X509Certificates;
using SmtpServer;
using SmtpServer.ComponentModel;
using SmtpServer.Protocol;
using SmtpServer.Storage;

namespace MtaSts.Testing;

/// <summary>A message as the receiving MTA got it.</summary>
public sealed record ReceivedMessage(string From, IReadOnlyList<string> To, byte[] Data, bool OverTls);

/// <summary>
/// A real SMTP server (the SmtpServer package) on a loopback address, offering STARTTLS with the given certificate.
/// Keeps every message it accepts, and whether it arrived over TLS.
/// </summary>
public sealed class LoopbackSmtpReceiver : IAsyncDisposable
{
    private readonly SmtpServer.SmtpServer _server;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _running;
    private int _sessions;

    private LoopbackSmtpReceiver(IPEndPoint endPoint, string serverName, X509Certificate2? certificate)
    {
        EndPoint = endPoint;
        var options = new SmtpServerOptionsBuilder()
            .ServerName(serverName)
            .Endpoint(builder =>
            {
                builder.Endpoint(endPoint).IsSecure(false).SessionTimeout(TimeSpan.FromSeconds(30))
                    .SupportedSslProtocols(System.Security.Authentication.SslProtocols.Tls12 | System.Security.Authentication.SslProtocols.Tls13);
                if (certificate is not null)
                {
                    builder.Certificate(certificate);
                }
            })
            .Build();
        var services = new ServiceProvider();
        services.Add(new Store(this));
        _server = new SmtpServer.SmtpServer(options, services);
        _server.SessionCreated += (_, _) => Interlocked.Increment(ref _sessions);
        _running = _server.StartAsync(_stop.Token);
    }

    public IPEndPoint EndPoint { get; }

    public ConcurrentQueue<ReceivedMessage> Messages { get; } = new();

    /// <summary>How many SMTP sessions were opened with this receiver.</summary>
    public int Sessions => Volatile.Read(ref _sessions);

    /// <summary>Starts a receiver on <paramref name="address"/>:<paramref name="port"/>; with a certificate it offers STARTTLS.</summary>
    public static async Task<LoopbackSmtpReceiver> StartAsync(IPAddress address, int port, string serverName, X509Certificate2? certificate)
    {
        var receiver = new LoopbackSmtpReceiver(new IPEndPoint(address, port), serverName, certificate);
        await LoopbackPorts.WaitUntilListeningAsync(receiver.EndPoint).ConfigureAwait(false);
        return receiver;
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        _server.Shutdown();
        try
        {
            await _running.WaitAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is OperationCanceledException or TimeoutException)
        {
            // Stopped.
        }

        _stop.Dispose();
    }

    private sealed class Store(LoopbackSmtpReceiver owner) : MessageStore
    {
        public override Task<SmtpResponse> SaveAsync(ISessionContext context, IMessageTransaction transaction, ReadOnlySequence<byte> buffer, CancellationToken cancellationToken)
        {
            owner.Messages.Enqueue(new ReceivedMessage(
                $"{transaction.From.User}@{transaction.From.Host}",
                [.. transaction.To.Select(t => $"{t.User}@{t.Host}")],
                buffer.ToArray(),
                context.Pipe.IsSecure));
            return Task.FromResult(SmtpResponse.Ok);
        }
    }
}
