using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;

namespace MtaSts.Reporting;

/// <summary>
/// Delivers reports to <c>https:</c> URIs: a POST of the gzip body as <c>application/tlsrpt+gzip</c>; any 2xx is success
/// (RPT-19). Each POST has its own timeout (<see cref="TlsRptOptions.HttpTimeout"/>); a redirect is a failure, never followed.
/// </summary>
internal sealed class TlsRptHttpsTransport : ITlsRptTransport
{
    private readonly HttpClient _client;
    private readonly TlsRptOptions _options;

    /// <summary>Creates the transport over <paramref name="client"/>, with the default options.</summary>
    /// <param name="client">The HTTP client; build its handler with <see cref="CreateHandler"/> to refuse non-public addresses.</param>
    /// <exception cref="ArgumentNullException"><paramref name="client"/> is null.</exception>
    public TlsRptHttpsTransport(HttpClient client)
        : this(client, new TlsRptOptions())
    {
    }

    /// <summary>Creates the transport over <paramref name="client"/>.</summary>
    /// <param name="client">The HTTP client; build its handler with <see cref="CreateHandler"/> to refuse non-public addresses
    /// (certificate validation is the client's; RFC 8460 lets submitters relax it).</param>
    /// <param name="options">The timeout and whether private endpoints are allowed.</param>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    public TlsRptHttpsTransport(HttpClient client, TlsRptOptions options)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(options);
        _client = client;
        _options = options;
    }

    /// <summary>
    /// A handler for report POSTs: redirects are not followed, connecting takes at most 10 seconds, the certificate chain
    /// is built offline (no intermediate, CRL or OCSP download), connections are not pooled, and unless
    /// <see cref="TlsRptOptions.AllowPrivateEndpoints"/> is set, the host is resolved at connect time and only public
    /// addresses are dialled, so a name that resolves (or rebinds) to a loopback, private or link-local address is refused.
    /// </summary>
    /// <param name="options">The options.</param>
    /// <returns>The handler.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="options"/> is null.</exception>
    public static SocketsHttpHandler CreateHandler(TlsRptOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var handler = new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            ConnectTimeout = TimeSpan.FromSeconds(10) < options.HttpTimeout ? TimeSpan.FromSeconds(10) : TlsRptReporter.Bounded(options.HttpTimeout),

            // The endpoint's certificate never makes the sender fetch anything (AIA intermediates, CRL, OCSP), and one
            // report per endpoint a day keeps no idle connection open.
            SslOptions = new System.Net.Security.SslClientAuthenticationOptions { CertificateChainPolicy = Certificates.CertificateValidator.OfflinePolicy() },
            PooledConnectionLifetime = TimeSpan.Zero,

            // Through a proxy the address check would see the proxy, not the endpoint: with the check on, no proxy.
            UseProxy = options.AllowPrivateEndpoints,
        };
        if (!options.AllowPrivateEndpoints)
        {
            handler.ConnectCallback = ConnectToPublicAsync;
        }

        return handler;
    }

    /// <inheritdoc/>
    public bool CanDeliver(Uri uri) => uri is not null && uri.Scheme == Uri.UriSchemeHttps;

    /// <inheritdoc/>
    public async Task<string?> DeliverAsync(Uri uri, TlsRptEnvelope envelope, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(uri);
        ArgumentNullException.ThrowIfNull(envelope);
        if (!_options.AllowPrivateEndpoints && IPAddress.TryParse(uri.Host.Trim('[', ']'), out var literal) && NonPublicAddress.IsNonPublic(literal))
        {
            return $"{uri.AbsoluteUri}: a non-public address is not a report endpoint";
        }

        using var request = new HttpRequestMessage(HttpMethod.Post, uri) { Content = new ByteArrayContent(envelope.Gzip) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/tlsrpt+gzip");
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TlsRptReporter.Bounded(_options.HttpTimeout));
        try
        {
            // Only the status matters: the body is never read, so an endpoint cannot make the sender buffer it.
            using var response = await _client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token).ConfigureAwait(false);
            return response.IsSuccessStatusCode ? null : $"{uri.AbsoluteUri} answered HTTP {(int)response.StatusCode}";
        }
        catch (Exception ex) when (ex is HttpRequestException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            return ex is OperationCanceledException ? $"{uri.AbsoluteUri}: no answer within {_options.HttpTimeout}" : $"{uri.AbsoluteUri}: {ex.Message}";
        }
    }

    // Resolves and dials only public addresses: the check applies to the address actually connected to (DNS rebinding).
    private static async ValueTask<Stream> ConnectToPublicAsync(SocketsHttpConnectionContext context, CancellationToken cancellationToken)
    {
        var endPoint = context.DnsEndPoint;
        var addresses = IPAddress.TryParse(endPoint.Host, out var literal)
            ? [literal]
            : await Dns.GetHostAddressesAsync(endPoint.Host, cancellationToken).ConfigureAwait(false);
        var allowed = addresses.Where(a => !NonPublicAddress.IsNonPublic(a)).Take(4).ToList();
        if (allowed.Count == 0)
        {
            throw new HttpRequestException($"{endPoint.Host} has no public address; report endpoints must be public (AllowPrivateEndpoints is off)");
        }

        var (stream, last) = await Internal.Connect.FirstAsync(allowed, endPoint.Port, cancellationToken).ConfigureAwait(false);
        return stream ?? throw new HttpRequestException($"{endPoint.Host}: {last!.Message}", last);
    }
}
