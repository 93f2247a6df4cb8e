using System.Net.Http;
using System.Security.Cryptography.X509Certificates;

namespace MtaSts.Fetching;

/// <summary>The fetch stage's share of <see cref="MtaStsOptions"/>.</summary>
internal sealed record FetchSettings(
    TimeSpan Timeout,
    int MaxPolicyBytes,
    string UserAgent,
    X509Certificate2Collection? TrustedRoots,
    Func<SocketsHttpConnectionContext, CancellationToken, ValueTask<Stream>>? ConnectCallback,
    bool CheckRevocation = false,
    int Retries = 0)
{
    public static FetchSettings From(MtaStsOptions options) =>
        new(options.FetchTimeout, options.MaxPolicyBytes, options.UserAgent, options.PolicyHostTrustedRoots, options.PolicyHostConnectCallback,
            options.CheckCertificateRevocation, options.FetchRetries);
}
