using System.Net;
using System.Net.Http;
using System.Net.Security;
using System.Security.Authentication;
using MtaSts.Certificates;

namespace MtaSts.Fetching;

/// <summary>
/// The primary handler of policy fetches: no redirects (FETCH-6), no cookies, no decompression, TLS 1.2+ (FETCH-13),
/// our certificate checks (FETCH-2, FETCH-3), no network traffic during the handshake's chain build (no AIA download,
/// no revocation fetch: FETCH-4 is a MAY), and no pooled connections: a policy host is asked once per domain, so a burst over
/// thousands of domains must not leave one idle TLS connection (a file descriptor) per host for a minute.
/// </summary>
internal static class PolicyHttpHandler
{
    public static SocketsHttpHandler Create(FetchSettings settings, PolicyHostCertificateCheck certificateCheck)
    {
        var handler = new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            UseCookies = false,
            AutomaticDecompression = DecompressionMethods.None,
            ConnectTimeout = settings.Timeout,
            // Zero: a connection is closed as soon as its response is read, never pooled. (The request's
            // Connection: close only asks the server; an idle timeout of zero does not stop pooling.)
            PooledConnectionLifetime = TimeSpan.Zero,
            MaxResponseHeadersLength = 64,
            SslOptions = new SslClientAuthenticationOptions
            {
                EnabledSslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13,
                // The handshake's own chain build: offline, whatever the certificate's AIA / CDP / OCSP URLs say. Our
                // callback rebuilds the chain (serverAuth EKU, the configured roots, revocation when asked for).
                CertificateChainPolicy = CertificateValidator.OfflinePolicy(),
                RemoteCertificateValidationCallback = (sender, certificate, chain, errors) =>
                    certificateCheck.Validate(sender, certificate, chain, errors, settings.CheckRevocation),
            },
        };
        if (settings.ConnectCallback is not null)
        {
            handler.ConnectCallback = settings.ConnectCallback;
        }

        return handler;
    }
}
