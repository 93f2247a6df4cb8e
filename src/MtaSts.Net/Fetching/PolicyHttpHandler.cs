using System.Net;
using System.Net.Http;
using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;

namespace MtaSts.Fetching;

/// <summary>The primary handler of policy fetches: no redirects (FETCH-6), no cookies, no decompression, TLS 1.2+ (FETCH-13), our certificate checks.</summary>
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
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            MaxResponseHeadersLength = 64,
            SslOptions = new SslClientAuthenticationOptions
            {
                EnabledSslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13,
                CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
                RemoteCertificateValidationCallback = certificateCheck.Validate,
            },
        };
        if (settings.ConnectCallback is not null)
        {
            handler.ConnectCallback = settings.ConnectCallback;
        }

        return handler;
    }
}
