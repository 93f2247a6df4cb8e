using System.Net;
using DnsClient;
using DnsClient.Protocol;

namespace MtaSts.Discovery;

/// <summary>
/// <see cref="IMtaStsTxtResolver"/> over DnsClient: one thread-safe <see cref="LookupClient"/>, no DnsClient cache
/// (the enforcer caches with the TTL), TCP fallback for truncated answers, and CNAME chains followed (TXT-6).
/// </summary>
internal sealed class DnsClientTxtResolver : IMtaStsTxtResolver
{
    private const int MaxCnameHops = 8;
    private readonly ILookupClient _client;

    public DnsClientTxtResolver(ILookupClient client) => _client = client;

    /// <summary>A client for <paramref name="nameServers"/>, or the machine's (see <see cref="NameServerDiscovery"/>).</summary>
    /// <exception cref="InvalidOperationException">No name server is configured or can be found.</exception>
    public static ILookupClient CreateClient(IReadOnlyCollection<IPEndPoint> nameServers, TimeSpan timeout, int retries)
    {
        var servers = NameServerDiscovery.Resolve(nameServers);
        if (servers.Count == 0)
        {
            throw new InvalidOperationException(NameServerDiscovery.NoneFoundMessage);
        }

        var options = new LookupClientOptions([.. servers.Select(e => new NameServer(e))]) { AutoResolveNameServers = false };
        options.UseCache = false;
        options.Timeout = timeout;
        options.Retries = retries;
        options.UseTcpFallback = true;
        options.ThrowDnsErrors = false;
        options.ContinueOnDnsError = false;
        options.ContinueOnEmptyResponse = false;
        return new LookupClient(options);
    }

    public async ValueTask<MtaStsTxtLookupResult> ResolveTxtAsync(string name, CancellationToken cancellationToken = default)
    {
        var current = name;
        var visited = new HashSet<string>(StringComparer.OrdinalIgnoreCase) { name };
        for (var hop = 0; hop <= MaxCnameHops; hop++)
        {
            IDnsQueryResponse response;
            try
            {
                response = await _client.QueryAsync(current, QueryType.TXT, QueryClass.IN, cancellationToken).ConfigureAwait(false);
            }
            catch (DnsResponseException ex)
            {
                cancellationToken.ThrowIfCancellationRequested(); // DnsClient reports a cancelled token as a timeout
                return MtaStsTxtLookupResult.TemporaryFailure($"DNS query for {current} TXT failed: {ex.Code}");
            }
#pragma warning disable CA1031 // Hostile answers surface as other exception types (e.g. DnsXidMismatchException): all are "no answer".
            catch (Exception ex) when (ex is not OperationCanceledException)
#pragma warning restore CA1031
            {
                return MtaStsTxtLookupResult.TemporaryFailure($"DNS query for {current} TXT failed: {ex.GetType().Name}: {ex.Message}");
            }

            if (response.HasError)
            {
                return response.Header.ResponseCode == DnsHeaderResponseCode.NotExistentDomain
                    ? MtaStsTxtLookupResult.NotFound($"{current}: NXDOMAIN")
                    : MtaStsTxtLookupResult.TemporaryFailure($"DNS query for {current} TXT failed: {response.Header.ResponseCode}");
            }

            // Walk the CNAME chain inside this answer (a recursive resolver usually sends it whole).
            var queried = current;
            while (true)
            {
                var txt = response.Answers.TxtRecords().Where(r => SameName(r.DomainName, current)).ToList();
                if (txt.Count > 0)
                {
                    var ttl = TimeSpan.FromSeconds(txt.Min(r => r.TimeToLive));
                    return MtaStsTxtLookupResult.Found([.. txt.Select(r => string.Concat(r.Text))], ttl);
                }

                var cname = response.Answers.CnameRecords().FirstOrDefault(r => SameName(r.DomainName, current));
                if (cname is null)
                {
                    break;
                }

                current = cname.CanonicalName.Original.TrimEnd('.');
                if (!visited.Add(current))
                {
                    return MtaStsTxtLookupResult.TemporaryFailure($"CNAME loop at {current}");
                }
            }

            if (SameName(current, queried))
            {
                return MtaStsTxtLookupResult.NotFound($"{current}: no TXT records");
            }

            // The answer ended at a CNAME target without its TXT records: ask for the target next.
        }

        return MtaStsTxtLookupResult.TemporaryFailure($"CNAME chain longer than {MaxCnameHops} from {name}");
    }

    private static bool SameName(DnsString dnsName, string name) => SameName(dnsName.Original, name); // Value is IDN-decoded

    private static bool SameName(string a, string b) => a.AsSpan().TrimEnd('.').Equals(b.AsSpan().TrimEnd('.'), StringComparison.OrdinalIgnoreCase);
}
