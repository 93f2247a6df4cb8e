using System.Runtime.CompilerServices;
using DnsClient;
using MtaSts.Dane;

namespace MtaSts.MailKit.Internal;

/// <summary>
/// The DANE facts of one MX host for a caller that resolved the MX itself (<c>ConnectWithMtaStsAndDaneAsync</c>): the
/// domain's MX RRset is asked again with the DO bit, because only its AD bit says whether DANE applies (RFC 7672
/// §2.2.1), and the host must be in it; then the host's address and TLSA lookups (<see cref="DaneLookup"/>).
/// <code>
/// MX lookup failed                              → indeterminate: the host is unusable, never a downgrade (DANE-5)
/// host outside a DNSSEC-validated MX RRset      → indeterminate: the caller's MX answer contradicts the signed one
///                                                 (a forged answer from a resolver that does not validate); unusable
/// host outside an unsigned MX RRset             → insecure: DANE does not apply
/// otherwise                                     → DaneLookup with the MX RRset's security
/// </code>
/// </summary>
internal static class HostDane
{
    // One DO-bit client per enforcer DNS client (its name servers and timeouts), kept as long as that client lives.
    private static readonly ConditionalWeakTable<ILookupClient, Parts> ByClient = [];

    public static async Task<DaneState> LookupAsync(IMtaStsEnforcer enforcer, string domain, string mxHost, CancellationToken cancellationToken)
    {
        var parts = ByClient.GetValue(MxResolver.For(enforcer), static dns =>
        {
            var client = DaneLookup.WithDnssec(dns);
            return new Parts(new MxResolver(client), new DaneLookup(client));
        });
        var host = mxHost.TrimEnd('.');
        var mx = await parts.Mx.LookupMxAsync(domain, cancellationToken).ConfigureAwait(false);
        if (mx.Status == MxLookupStatus.TemporaryFailure)
        {
            return DaneState.Indeterminate(host, mx.Detail ?? "the MX lookup failed");
        }

        if (mx.Status != MxLookupStatus.Found || !mx.Hosts.Any(h => string.Equals(h.Host, host, StringComparison.OrdinalIgnoreCase)))
        {
            return mx.Secure
                ? DaneState.Indeterminate(host,
                    $"{host} is not in the DNSSEC-validated MX RRset of {domain}: the MX answer it came from was not validated")
                : DaneState.Insecure(host, $"{host} is not an MX host of {domain}: DANE does not apply to it");
        }

        return await parts.Dane.LookupAsync(host, domain, mx.Secure, cancellationToken).ConfigureAwait(false);
    }

    private sealed record Parts(MxResolver Mx, DaneLookup Dane);
}
