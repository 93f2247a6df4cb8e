using Microsoft.Extensions.DependencyInjection;
using System.Net;
using System.Net.Http;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using MtaSts.AspNetCore;
using MtaSts.Testing;

namespace MtaSts.Tool.Tests.Infrastructure;

/// <summary>
/// <c>MapMtaStsPolicy</c> running on Kestrel over HTTPS on 127.0.0.1, policies from in-memory configuration, a
/// certificate per SNI name from the test CA: the publisher's side as an app would run it.
/// </summary>
public sealed class PolicyServerHost : IAsyncDisposable
{
    private readonly WebApplication _app;

    private PolicyServerHost(WebApplication app) => _app = app;

    public int Port { get; private set; }

    public IServiceProvider Services => _app.Services;

    public static async Task<PolicyServerHost> StartAsync(TestCertificateAuthority ca, IDictionary<string, string?> configuration)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.Configuration.AddInMemoryCollection(configuration);
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0, listen => listen.UseHttps(new HttpsConnectionAdapterOptions
        {
            ServerCertificateSelector = (_, name) => ca.IssueFor(name ?? "unknown.invalid"),
        })));
        builder.Services.AddMtaStsPolicyServer(builder.Configuration);
        var app = builder.Build();
        app.MapMtaStsPolicy();
        await app.StartAsync();
        return new PolicyServerHost(app) { Port = new Uri(app.Urls.First()).Port };
    }

    /// <summary>Routes every connection to this server, as DNS would.</summary>
    public Func<SocketsHttpConnectionContext, CancellationToken, ValueTask<Stream>> ConnectCallback => async (_, cancellationToken) =>
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(IPAddress.Loopback, Port, cancellationToken);
        return new NetworkStream(socket, ownsSocket: true);
    };

    /// <summary>An HttpClient that reaches this server whatever the URL's host, trusting <paramref name="ca"/>.</summary>
    public HttpClient Client(TestCertificateAuthority ca) => new(new SocketsHttpHandler
    {
        AllowAutoRedirect = false,
        ConnectCallback = ConnectCallback,
        SslOptions = new SslClientAuthenticationOptions
        {
            CertificateChainPolicy = new X509ChainPolicy
            {
                TrustMode = X509ChainTrustMode.CustomRootTrust,
                CustomTrustStore = { ca.TrustStore[0] },
                RevocationMode = X509RevocationMode.NoCheck,
            },
        },
    });

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
