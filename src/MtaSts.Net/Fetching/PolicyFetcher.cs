using System.Buffers;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Security.Authentication;
using System.Text;
using MtaSts.Internal;
using Polly;

namespace MtaSts.Fetching;

/// <summary>
/// Fetch stage: GET <c>https://mta-sts.&lt;domain&gt;/.well-known/mta-sts.txt</c> (FETCH-1) with the policy host's
/// certificate checked by PKIX and SAN dNSName (FETCH-2, FETCH-3), no redirects (FETCH-6), no HTTP caching (FETCH-7),
/// status 200 and <c>text/plain</c> only (FETCH-5, FETCH-8), a body cap read by hand (FETCH-10) and one total
/// timeout (FETCH-9). Never throws for protocol outcomes.
/// </summary>
internal sealed class PolicyFetcher(HttpClient client, FetchSettings settings, TimeProvider timeProvider)
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    // Bounded retries of transient failures, inside the total timeout (FETCH-9); never of a certificate failure (FETCH-2).
    // The same pipeline whether the enforcer comes from MtaStsEnforcer.Create or from AddMtaSts.
    private readonly ResiliencePipeline<HttpResponseMessage> _retries = FetchRetries.Create(settings.Retries);

    public async ValueTask<PolicyFetchResult> FetchAsync(string domain, CancellationToken cancellationToken)
    {
        var host = MtaStsConstants.PolicyHostPrefix + domain;
        var uri = new Uri($"https://{host}{MtaStsConstants.WellKnownPath}");
        using var timeout = new CancellationTokenSource(settings.Timeout, timeProvider);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        try
        {
            using var response = await _retries.ExecuteAsync(static (state, token) => state.Fetcher.SendOnceAsync(state.Uri, token), (Fetcher: this, Uri: uri), linked.Token)
                .ConfigureAwait(false);
            if (response.StatusCode != HttpStatusCode.OK)
            {
                var code = (int)response.StatusCode;
                return code is >= 300 and < 400
                    ? PolicyFetchResult.Fail(MtaStsFailureKind.PolicyFetchError, $"{uri} answered HTTP {code}; redirects are not followed (FETCH-6)", $"http-{code}")
                    : PolicyFetchResult.Fail(MtaStsFailureKind.PolicyFetchError, $"{uri} answered HTTP {code}; only 200 is valid (FETCH-5)", $"http-{code}");
            }

            var mediaType = response.Content.Headers.ContentType?.MediaType;
            if (!string.Equals(mediaType, "text/plain", StringComparison.OrdinalIgnoreCase))
            {
                return PolicyFetchResult.Fail(MtaStsFailureKind.PolicyInvalid, $"{uri} served '{mediaType ?? "no media type"}', not text/plain (FETCH-8)", "media-type");
            }

            if (HasBrokenContentLength(response.Content.Headers))
            {
                return PolicyFetchResult.Fail(MtaStsFailureKind.PolicyFetchError, $"{uri} sent a Content-Length that cannot be read", "content-length");
            }

            if (response.Content.Headers.ContentLength > settings.MaxPolicyBytes)
            {
                return TooLarge(uri);
            }

            var stream = await response.Content.ReadAsStreamAsync(linked.Token).ConfigureAwait(false);
            await using (stream.ConfigureAwait(false))
            {
                return await ReadBodyAsync(stream, uri, linked.Token).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            // Only the caller's token may cancel; any other cancellation inside the HTTP stack is our timeout (FETCH-9).
            return PolicyFetchResult.Fail(MtaStsFailureKind.PolicyFetchError, $"{uri} did not answer in full within {settings.Timeout.TotalSeconds:0.###} s (FETCH-9)", "timeout");
        }
        catch (Exception ex) when (IsTransportFailure(ex))
        {
            // FLOW-8: every I/O, TLS and protocol failure of the fetch is a typed fetch failure, never an escaping
            // exception (a body cut short throws HttpIOException only once the body is read, past SendAsync).
            return TransportFailure(ex, host, uri);
        }
    }

    private async ValueTask<HttpResponseMessage> SendOnceAsync(Uri uri, CancellationToken cancellationToken)
    {
        // A request message is sent once: each attempt gets its own.
        using var request = new HttpRequestMessage(HttpMethod.Get, uri) { Version = HttpVersion.Version11, VersionPolicy = HttpVersionPolicy.RequestVersionOrLower };
        request.Headers.TryAddWithoutValidation("User-Agent", settings.UserAgent);
        request.Headers.CacheControl = new CacheControlHeaderValue { NoCache = true, NoStore = true }; // FETCH-7
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/plain"));
        request.Headers.ConnectionClose = true; // one fetch per domain: no idle TLS connection left behind per policy host
        return await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Exceptions the HTTP stack raises for what the peer or the network did: transport errors (wrapped or not), a
    /// body shorter than its Content-Length or a cut chunk (<see cref="HttpIOException"/>), TLS failures, a stream torn
    /// down under the read, a response the handler refuses to parse. Cancellation is handled by the caller.
    /// </summary>
    private static bool IsTransportFailure(Exception ex) =>
        ex is HttpRequestException or IOException or AuthenticationException or System.Net.Sockets.SocketException
            or ObjectDisposedException or InvalidOperationException or NotSupportedException or FormatException or DecoderFallbackException;

    private static PolicyFetchResult TransportFailure(Exception ex, string host, Uri uri)
    {
        if (PolicyHostCertificateCheck.TryFind(ex, out var refused))
        {
            return PolicyFetchResult.Fail(MtaStsFailureKind.PolicyWebPkiInvalid, $"{host}: {refused!.Failure.Detail} (FETCH-2)", refused.Failure.ResultType);
        }

        var reason = ex switch
        {
            HttpRequestException { InnerException: AuthenticationException } or AuthenticationException => "tls",
            HttpRequestException request => request.HttpRequestError.ToString(),
            HttpIOException io => io.HttpRequestError.ToString(),
            IOException => "io",
            _ => ex.GetType().Name,
        };
        return PolicyFetchResult.Fail(MtaStsFailureKind.PolicyFetchError, $"{uri}: {ex.GetType().Name}: {ex.Message}", reason);
    }

    /// <summary>
    /// An unreadable Content-Length, or several that differ (RFC 9112 §6.3: unrecoverable). The handler then reads
    /// up to the close or to the first value, so a cut body could pass for a whole policy.
    /// </summary>
    private static bool HasBrokenContentLength(HttpContentHeaders headers)
    {
        if (!headers.NonValidated.TryGetValues("Content-Length", out var values))
        {
            return false;
        }

        var length = headers.ContentLength;
        foreach (var value in values)
        {
            if (!long.TryParse(value.AsSpan().Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var n) || n != length)
            {
                return true;
            }
        }

        return false;
    }

    private async ValueTask<PolicyFetchResult> ReadBodyAsync(Stream stream, Uri uri, CancellationToken cancellationToken)
    {
        // FETCH-10: cap the body ourselves; MaxResponseContentBufferSize does not cover streamed reads.
        var buffer = ArrayPool<byte>.Shared.Rent(settings.MaxPolicyBytes + 1);
        try
        {
            var total = 0;
            while (true)
            {
                var read = await stream.ReadAsync(buffer.AsMemory(total, settings.MaxPolicyBytes + 1 - total), cancellationToken).ConfigureAwait(false);
                if (read == 0)
                {
                    break;
                }

                total += read;
                if (total > settings.MaxPolicyBytes)
                {
                    return TooLarge(uri);
                }
            }

            try
            {
                return PolicyFetchResult.Success(StrictUtf8.GetString(buffer, 0, total)); // FETCH-15
            }
            catch (DecoderFallbackException)
            {
                return PolicyFetchResult.Fail(MtaStsFailureKind.PolicyInvalid, $"{uri} served a body that is not valid UTF-8 (FETCH-15)", "utf-8");
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private PolicyFetchResult TooLarge(Uri uri) =>
        PolicyFetchResult.Fail(MtaStsFailureKind.PolicyFetchError, $"{uri} served more than {settings.MaxPolicyBytes} bytes (FETCH-10)", "body-too-large");
}
