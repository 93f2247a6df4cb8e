using MtaSts.Publishing;

namespace MtaSts.AspNetCore;

/// <summary>
/// Where the policy server finds the policy of a domain. The default reads configuration
/// (<c>AddMtaStsPolicyServer</c>); register your own (a database,
/// a tenant directory) before calling it to replace that.
/// </summary>
public interface IMtaStsPolicyProvider
{
    /// <summary>The policy of <paramref name="policyDomain"/>, or <see langword="null"/> when this server has none for it (a 404).</summary>
    /// <param name="policyDomain">The policy domain: the request's host without <c>mta-sts.</c>, lower case, A-labels, no root dot.</param>
    /// <param name="cancellationToken">The request's token.</param>
    /// <returns>The document to serve, or <see langword="null"/>.</returns>
    ValueTask<MtaStsPolicyDocument?> GetPolicyAsync(string policyDomain, CancellationToken cancellationToken = default);
}
