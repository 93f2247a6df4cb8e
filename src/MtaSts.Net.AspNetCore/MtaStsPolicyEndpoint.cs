using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.Net.Http.Headers;

namespace MtaSts.AspNetCore;

/// <summary>
/// Answers <c>GET</c> and <c>HEAD /.well-known/mta-sts.txt</c> as RFC 8461 §3.3 asks: 200 with <c>text/plain</c>
/// whatever the Accept header says (FETCH-8), CRLF lines, no redirect (FETCH-6); 404 for a host that is not
/// <c>mta-sts.&lt;domain&gt;</c> or whose domain has no policy here.
/// </summary>
internal static class MtaStsPolicyEndpoint
{
    public static async Task ServeAsync(HttpContext context, IMtaStsPolicyProvider provider)
    {
        var domain = PolicyHostName.PolicyDomain(context.Request.Host.Host);
        var document = domain is null ? null : await provider.GetPolicyAsync(domain, context.RequestAborted).ConfigureAwait(false);
        var response = context.Response;
        if (document is null)
        {
            response.StatusCode = StatusCodes.Status404NotFound;
            return;
        }

        var body = Encoding.UTF8.GetBytes(document.Body);
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = "text/plain; charset=utf-8";
        response.ContentLength = body.Length;
        response.Headers[HeaderNames.CacheControl] = MtaStsPolicyServerDefaults.CacheControl;
        response.Headers[HeaderNames.XContentTypeOptions] = "nosniff";
        if (!HttpMethods.IsHead(context.Request.Method))
        {
            await response.Body.WriteAsync(body, context.RequestAborted).ConfigureAwait(false);
        }
    }
}
