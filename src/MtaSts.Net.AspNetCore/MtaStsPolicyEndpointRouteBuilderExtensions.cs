using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

using MtaSts.AspNetCore;

namespace Microsoft.AspNetCore.Builder;

/// <summary>Maps the MTA-STS policy endpoint.</summary>
public static class MtaStsPolicyEndpointRouteBuilderExtensions
{
    /// <summary>
    /// Serves <c>GET</c> and <c>HEAD /.well-known/mta-sts.txt</c> for every <c>mta-sts.&lt;domain&gt;</c> host whose
    /// domain the registered <see cref="IMtaStsPolicyProvider"/> knows, selected by the Host header (one server, many
    /// domains): <c>text/plain; charset=utf-8</c>, CRLF lines, status 200, <c>Cache-Control: public, max-age=300</c>,
    /// and 404 for any other host. Serve it over HTTPS with a certificate valid for each <c>mta-sts.&lt;domain&gt;</c>.
    /// </summary>
    /// <param name="endpoints">The application's endpoint builder.</param>
    /// <returns>The endpoint's convention builder (for <c>RequireHost</c>, rate limiting, ...).</returns>
    /// <exception cref="ArgumentNullException"><paramref name="endpoints"/> is null.</exception>
    /// <exception cref="InvalidOperationException">No <see cref="IMtaStsPolicyProvider"/> is registered, or the configured policies are invalid.</exception>
    /// <seealso href="https://www.rfc-editor.org/rfc/rfc8461#section-3.3">RFC 8461 §3.3</seealso>
    public static IEndpointConventionBuilder MapMtaStsPolicy(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        var provider = endpoints.ServiceProvider.GetRequiredService<IMtaStsPolicyProvider>(); // an invalid configuration fails here, at start-up
        return endpoints.MapMethods(MtaStsPolicyServerDefaults.WellKnownPath, [HttpMethods.Get, HttpMethods.Head], context => MtaStsPolicyEndpoint.ServeAsync(context, provider))
            .WithDisplayName("MTA-STS policy");
    }
}
