using System.Net.Http.Headers;

namespace MtaSts.Reporting;

/// <summary>Delivers reports to <c>https:</c> URIs: a POST of the gzip body as <c>application/tlsrpt+gzip</c>; any 2xx is success (RPT-19).</summary>
public sealed class TlsRptHttpsTransport : ITlsRptTransport
{
    private readonly HttpClient _client;

    /// <summary>Creates the transport over <paramref name="client"/>.</summary>
    /// <param name="client">The HTTP client (certificate validation is the client's; RFC 8460 lets submitters relax it).</param>
    /// <exception cref="ArgumentNullException"><paramref name="client"/> is null.</exception>
    public TlsRptHttpsTransport(HttpClient client)
    {
        ArgumentNullException.ThrowIfNull(client);
        _client = client;
    }

    /// <inheritdoc/>
    public bool CanDeliver(Uri uri) => uri is not null && uri.Scheme == Uri.UriSchemeHttps;

    /// <inheritdoc/>
    public async Task<string?> DeliverAsync(Uri uri, TlsRptEnvelope envelope, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(envelope);
        using var content = new ByteArrayContent(envelope.Gzip);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/tlsrpt+gzip");
        try
        {
            using var response = await _client.PostAsync(uri, content, cancellationToken).ConfigureAwait(false);
            return response.IsSuccessStatusCode ? null : $"{uri} answered HTTP {(int)response.StatusCode}";
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            return $"{uri}: {ex.Message}";
        }
    }
}
