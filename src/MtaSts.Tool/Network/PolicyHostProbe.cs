using System.Net;
using System.Net.Http;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace MtaSts.Tool.Network;

/// <summary>
/// Fetches <c>https://mta-sts.&lt;domain&gt;/.well-known/mta-sts.txt</c> as a sender would (FETCH-1): the host resolved
/// through <see cref="ToolDns"/>, SNI set (FETCH-12), no redirects followed (FETCH-6), status 200 only (FETCH-5),
/// <c>text/plain</c> only (FETCH-8), 64 KiB at most (FETCH-10), bounded in time (FETCH-9), UTF-8 (FETCH-15). The
/// certificate is captured, not enforced, so that the auditor can report both it and the policy behind it.
/// </summary>
internal sealed class PolicyHostProbe(ToolDns dns, int port, TimeSpan timeout)
{
    public const int MaxPolicyBytes = 64 * 1024;
    private static readonly UTF8Encoding StrictUtf8 = new(false, true);

    public async Task<PolicyFetchOutcome> FetchAsync(string domain, CancellationToken cancellationToken)
    {
        var host = $"mta-sts.{domain}";
        var addresses = await dns.AddressesAsync(host, cancellationToken).ConfigureAwait(false);
        if (addresses.Outcome != DnsOutcome.Found)
        {
            return new PolicyFetchOutcome(false, null, [], null, $"{host} has no A or AAAA record: {addresses.Error}");
        }

        X509Certificate2? certificate = null;
        List<X509Certificate2> presented = [];
        using var handler = new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            UseProxy = false,
            UseCookies = false,
            AutomaticDecompression = DecompressionMethods.None,
            ConnectCallback = async (_, ct) => await ConnectAsync(addresses.Values, ct).ConfigureAwait(false),
            SslOptions = new SslClientAuthenticationOptions
            {
                TargetHost = host,
                EnabledSslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13,
                CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
                CertificateChainPolicy = new X509ChainPolicy { DisableCertificateDownloads = true, RevocationMode = X509RevocationMode.NoCheck },
                RemoteCertificateValidationCallback = (_, cert, chain, _) =>
                {
                    certificate ??= cert is null ? null : X509CertificateLoader.LoadCertificate(cert.GetRawCertData());
                    presented.AddRange(chain?.ChainElements.Skip(1).Select(e => X509CertificateLoader.LoadCertificate(e.Certificate.RawData)) ?? []);
                    return true; // reviewed by the auditor, which reports policy-host-certificate-invalid
                },
            },
        };
        using var client = new HttpClient(handler) { Timeout = Timeout.InfiniteTimeSpan };
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(timeout);
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, $"https://{host}/.well-known/mta-sts.txt");
            request.Headers.UserAgent.ParseAdd("mta-sts-audit/0.1");
            using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, limit.Token).ConfigureAwait(false);
            var failure = CheckResponse(response);
            if (failure is not null)
            {
                return new PolicyFetchOutcome(true, certificate, presented, null, failure);
            }

            var (body, tooLarge) = await ReadBoundedAsync(response, limit.Token).ConfigureAwait(false);
            if (tooLarge)
            {
                return new PolicyFetchOutcome(true, certificate, presented, null, $"the body is larger than {MaxPolicyBytes} bytes, the limit senders apply (FETCH-10)");
            }

            try
            {
                return new PolicyFetchOutcome(true, certificate, presented, StrictUtf8.GetString(body), null);
            }
            catch (DecoderFallbackException)
            {
                return new PolicyFetchOutcome(true, certificate, presented, null, "the body is not UTF-8 (FETCH-15)");
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return new PolicyFetchOutcome(true, certificate, presented, null, $"no complete answer within {timeout.TotalSeconds:0.#} s (FETCH-9)");
        }
        catch (HttpRequestException ex)
        {
            return new PolicyFetchOutcome(true, certificate, presented, null, $"the request failed: {Innermost(ex)}");
        }
        catch (Exception ex) when (ex is IOException or System.Security.Authentication.AuthenticationException or InvalidOperationException
            or NotSupportedException or FormatException)
        {
            // A body cut short of its Content-Length, a reset mid-body, a TLS failure raised while reading (FETCH-9).
            return new PolicyFetchOutcome(true, certificate, presented, null, $"the response failed: {Innermost(ex)}");
        }
    }

    private static string? CheckResponse(HttpResponseMessage response)
    {
        var status = (int)response.StatusCode;
        if (status is >= 300 and < 400)
        {
            return $"HTTP {status} redirect to {response.Headers.Location?.ToString() ?? "(no Location)"}; senders do not follow redirects (FETCH-6)";
        }

        if (status != 200)
        {
            return $"HTTP {status}; only 200 serves a policy (FETCH-5)";
        }

        var mediaType = response.Content.Headers.ContentType?.MediaType;
        if (!string.Equals(mediaType, "text/plain", StringComparison.OrdinalIgnoreCase))
        {
            return $"media type {mediaType ?? "(none)"}; senders require text/plain (FETCH-8)";
        }

        return null;
    }

    private static async Task<(byte[] Body, bool TooLarge)> ReadBoundedAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        var buffer = new byte[MaxPolicyBytes + 1];
        var total = 0;
        int read;
        while (total < buffer.Length && (read = await stream.ReadAsync(buffer.AsMemory(total), cancellationToken).ConfigureAwait(false)) > 0)
        {
            total += read;
        }

        return total > MaxPolicyBytes ? ([], true) : (buffer[..total], false);
    }

    private async Task<Stream> ConnectAsync(IReadOnlyList<IPAddress> addresses, CancellationToken cancellationToken)
    {
        var (stream, last) = await MtaSts.Internal.Connect.FirstAsync(addresses.Take(2), port, cancellationToken).ConfigureAwait(false);
        return stream ?? throw new HttpRequestException($"{string.Join(", ", addresses.Take(2))} port {port}: {last?.SocketErrorCode}", last);
    }

    private static string Innermost(Exception ex)
    {
        while (ex.InnerException is not null && ex.Message.Contains("see inner exception", StringComparison.OrdinalIgnoreCase))
        {
            ex = ex.InnerException;
        }

        return ex.InnerException is null ? ex.Message : $"{ex.Message} ({ex.InnerException.Message})";
    }
}
