using System.Net;
using DnsClient;
using DnsClient.Protocol;

namespace MtaSts.MailKit.Internal;

/// <summary>MX and address lookups over DnsClient (RFC 5321 §5.1, RFC 7505).</summary>
internal sealed class MxResolver(ILookupClient client)
{
    /// <summary>
    /// The enforcer's DNS client (one set of name servers and timeouts for discovery, MX and TLS-RPT lookups); for an
    /// enforcer of the caller's own (a mock), the machine's resolvers, found as the core finds them.
    /// </summary>
    public static ILookupClient For(IMtaStsEnforcer enforcer) =>
        enforcer is MtaStsEnforcer built ? built.Dns.Value : MachineDns.Value;

    private static readonly Lazy<ILookupClient> MachineDns = new(() => EnforcerParts.DnsFor(new MtaStsOptions()).Value);

    public async Task<MxLookupResult> LookupMxAsync(string domain, CancellationToken cancellationToken)
    {
        IDnsQueryResponse response;
        try
        {
            response = await client.QueryAsync(domain, QueryType.MX, QueryClass.IN, cancellationToken).ConfigureAwait(false);
        }
        catch (DnsResponseException ex)
        {
            cancellationToken.ThrowIfCancellationRequested();
            return new(MxLookupStatus.TemporaryFailure, [], false, $"MX lookup for {domain} failed: {ex.Code}");
        }
#pragma warning disable CA1031 // Hostile answers surface as other exception types (e.g. DnsXidMismatchException): all are "no answer".
        catch (Exception ex) when (ex is not OperationCanceledException)
#pragma warning restore CA1031
        {
            cancellationToken.ThrowIfCancellationRequested();
            return new(MxLookupStatus.TemporaryFailure, [], false, $"MX lookup for {domain} failed: {ex.GetType().Name}");
        }

        if (response.HasError)
        {
            return response.Header.ResponseCode == DnsHeaderResponseCode.NotExistentDomain
                ? new(MxLookupStatus.NoSuchDomain, [], false, $"{domain} does not exist (NXDOMAIN)")
                : new(MxLookupStatus.TemporaryFailure, [], false, $"MX lookup for {domain} failed: {response.Header.ResponseCode}");
        }

        var mx = response.Answers.MxRecords().Select(r => ((int)r.Preference, Host: r.Exchange.Original.TrimEnd('.'))).ToList();
        if (mx.Count == 0)
        {
            return new(MxLookupStatus.Found, [(0, domain)], true, "no MX records: the domain is its own implicit MX (RFC 5321 §5.1)")
            {
                Secure = response.Header.IsAuthenticData,
            };
        }

        // RFC 7505: a single MX of "." means no mail; "." among others is skipped (MXR-2).
        var usable = mx.Where(m => m.Host.Length > 0).ToList();
        return usable.Count == 0
            ? new(MxLookupStatus.NullMx, [], false, $"{domain} publishes a null MX: it accepts no mail (RFC 7505)")
            : new(MxLookupStatus.Found, usable, false, null) { Secure = response.Header.IsAuthenticData };
    }

    public async Task<IReadOnlyList<IPAddress>> LookupAddressesAsync(string host, CancellationToken cancellationToken)
    {
        if (IPAddress.TryParse(host, out var literal))
        {
            return [literal];
        }

        List<IPAddress> addresses = [];
        foreach (var type in new[] { QueryType.AAAA, QueryType.A })
        {
            try
            {
                var response = await client.QueryAsync(host, type, QueryClass.IN, cancellationToken).ConfigureAwait(false);
                addresses.AddRange(response.Answers.AddressRecords().Select(r => r.Address));
            }
#pragma warning disable CA1031 // any failure leaves this address family empty; the caller moves on
            catch (Exception)
#pragma warning restore CA1031
            {
                cancellationToken.ThrowIfCancellationRequested(); // DnsClient reports a cancelled query as DnsResponseException
                // No addresses of this family.
            }
        }

        return addresses;
    }
}
