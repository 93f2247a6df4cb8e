#region api-usings
using System.Net.Security;
using MtaSts;
#endregion

namespace MtaSts.Snippets;

/// <summary>README: Quick start (API).</summary>
public static class QuickStartApi
{
    public static async Task<RemoteCertificateValidationCallback> RunAsync()
    {
        #region api
        using var enforcer = MtaStsEnforcer.Create();                      // one per application; thread-safe
        MtaStsPolicyState state = await enforcer.GetPolicyAsync("example.com");   // TXT → HTTPS → parse → cache

        MtaStsDecision mx = state.EvaluateMx("mx1.example.com");          // before connecting
        if (!mx.MayDeliver) { /* skip this MX: temporary failure, try the next one or retry later */ }

        // inside your TLS certificate callback, or after EHLO when STARTTLS is missing:
        RemoteCertificateValidationCallback callback = (sender, certificate, chain, sslPolicyErrors) =>
        {
            MtaStsDecision tls = state.EvaluateTls("mx1.example.com", startTlsOffered: true, certificate, chain, sslPolicyErrors);
            return tls.MayDeliver;   // false aborts the session; tls.Failure.ResultType is the RFC 8460 result type
        };
        #endregion
        return callback;
    }
}
