using System.Collections.Concurrent;
using System.Net;
using System.Net.Http;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.Logging;

namespace MtaSts.Testing;

/// <summary>
/// Real HTTPS policy hosts: Kestrel on 127.0.0.1 with a certificate per SNI name from the test CA. Each host name gets
/// a handler; requests are counted per host and their headers kept.
/// </summary>
public sealed class LoopbackPolicyHost : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly TestCertificateAuthority _ca;
    private readonly ConcurrentDictionary<string, X509Certificate2> _certificates = new(StringComparer.OrdinalIgnoreCase);
    private readonly ConcurrentDictionary<string, Func<HttpContext, Task>> _handlers = new(StringComparer.OrdinalIgnoreCase);
    private readonly ConcurrentDictionary<string, int> _requests = new(StringComparer.OrdinalIgnoreCase);
    private readonly ConcurrentDictionary<string, Func<HttpContext, Task>> _anyPath = new(StringComparer.OrdinalIgnoreCase);
    private readonly X509Certificate2 _fallback;

    private LoopbackPolicyHost(TestCertificateAuthority ca)
    {
        _ca = ca;
        _fallback = ca.IssueFor("unknown.invalid");
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.Limits.MinResponseDataRate = null;
            kestrel.Listen(IPAddress.Loopback, 0, listen => listen.UseHttps(new HttpsConnectionAdapterOptions
            {
                // .NET hands the server the SNI name decoded to U-labels; the table is keyed by A-labels.
                ServerCertificateSelector = (_, name) => name is not null && _certificates.TryGetValue(new System.Globalization.IdnMapping().GetAscii(name), out var c) ? c : _fallback,
            }));
        });
        _app = builder.Build();
        _app.Run(HandleAsync);
    }

    public int Port { get; private set; }

    /// <summary>Every request: its host and a copy of its headers (Kestrel reuses its own header objects).</summary>
    public ConcurrentQueue<(string Host, IReadOnlyDictionary<string, string> Headers)> Requests { get; } = new();

    /// <summary>Routes every policy-host connection to this server, as DNS would on the real network.</summary>
    public Func<SocketsHttpConnectionContext, CancellationToken, ValueTask<Stream>> ConnectCallback => async (_, cancellationToken) =>
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(IPAddress.Loopback, Port, cancellationToken).ConfigureAwait(false);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    };

    public static async Task<LoopbackPolicyHost> StartAsync(TestCertificateAuthority ca)
    {
        var host = new LoopbackPolicyHost(ca);
        await host._app.StartAsync().ConfigureAwait(false);
        host.Port = new Uri(host._app.Urls.First()).Port;
        return host;
    }

    public int RequestCount(string host) => _requests.TryGetValue(host, out var n) ? n : 0;

    public int TotalRequests => _requests.Values.Sum();

    /// <summary>Serves <paramref name="handler"/> at <paramref name="host"/> with <paramref name="certificate"/> (default: valid for the host).</summary>
    public void Serve(string host, Func<HttpContext, Task> handler, X509Certificate2? certificate = null)
    {
        _certificates[host] = certificate ?? _ca.IssueFor(host);
        _handlers[host] = handler;
    }

    /// <summary>Serves <paramref name="handler"/> for every path at <paramref name="host"/> (a report endpoint, say).</summary>
    public void ServeAnyPath(string host, Func<HttpContext, Task> handler)
    {
        _certificates[host] = _ca.IssueFor(host);
        _anyPath[host] = handler;
    }

    /// <summary>Serves a policy body as <c>text/plain</c> with status 200.</summary>
    public void ServePolicy(string host, string policy, string contentType = "text/plain; charset=utf-8", X509Certificate2? certificate = null) =>
        Serve(host, async context =>
        {
            context.Response.ContentType = contentType;
            await context.Response.WriteAsync(policy).ConfigureAwait(false);
        }, certificate);

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
    }

    private async Task HandleAsync(HttpContext context)
    {
        var host = new System.Globalization.IdnMapping().GetAscii(context.Request.Host.Host); // HostString decodes to U-labels
        _requests.AddOrUpdate(host, 1, (_, n) => n + 1);
        Requests.Enqueue((host, context.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase)));
        if (_anyPath.TryGetValue(host, out var any))
        {
            await any(context).ConfigureAwait(false);
            return;
        }

        if (context.Request.Path != "/.well-known/mta-sts.txt" || !_handlers.TryGetValue(host, out var handler))
        {
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            return;
        }

        await handler(context).ConfigureAwait(false);
    }
}
