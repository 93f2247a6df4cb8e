using System.Net;
using DnsClient;
using DnsClient.Protocol;

namespace MtaSts.MailKit.Internal;

/// <summary>MX and address lookups over DnsClient (RFC 5321 §5.1, RFC 7505).</summary>
internal sealed class MxResolver(ILookupClient client)
{
    public static ILookupClient CreateClient(IReadOnlyCollection<IPEndPoint> nameServers, TimeSpan timeout, bool requestDnssec = false)
    {
        // The core's discovery: the interfaces, else /etc/resolv.conf (a loopback-only namespace), never a public resolver.
        var servers = MtaSts.Discovery.NameServerDiscovery.Resolve(nameServers);
        if (servers.Count == 0)
        {
            throw new InvalidOperationException(MtaSts.Discovery.NameServerDiscovery.NoneFoundMessage);
        }

        var options = new LookupClientOptions([.. servers.Select(e => new NameServer(e))]) { AutoResolveNameServers = false };
        options.UseCache = true;
        options.Timeout = timeout;
        options.Retries = 1;
        options.UseTcpFallback = true;
        options.ThrowDnsErrors = false;
        options.ContinueOnDnsError = false;

        // DANE: ask for DNSSEC records (DO bit) and trust the AD bit of the configured validating resolver (RFC 7672 §2.1).
        options.RequestDnsSecRecords = requestDnssec;
        return new LookupClient(options);
    }

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
            catch (Exception) when (!cancellationToken.IsCancellationRequested)
#pragma warning restore CA1031
            {
                // No addresses of this family.
            }
        }

        return addresses;
    }
}
