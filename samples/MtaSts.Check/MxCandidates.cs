using System.Net;
using DnsClient;
using DnsClient.Protocol;

namespace MtaSts.Check;

/// <summary>The MX hosts of a domain in preference order (RFC 5321 §5.1, RFC 7505).</summary>
public static class MxCandidates
{
    public static async Task<(IReadOnlyList<(int Preference, string Host)> Hosts, string? Note)> LookupAsync(
        string domain, IReadOnlyList<IPEndPoint> nameServers, CancellationToken cancellationToken)
    {
        var options = nameServers.Count > 0 ? new LookupClientOptions([.. nameServers.Select(e => new NameServer(e))]) : new LookupClientOptions();
        options.UseCache = false;
        options.ThrowDnsErrors = false;
        options.Timeout = TimeSpan.FromSeconds(5);
        var client = new LookupClient(options);
        IDnsQueryResponse response;
        try
        {
            response = await client.QueryAsync(domain, QueryType.MX, QueryClass.IN, cancellationToken);
        }
        catch (DnsResponseException ex)
        {
            return ([], $"MX lookup failed: {ex.Code}");
        }

        if (response.HasError)
        {
            return ([], $"MX lookup failed: {response.Header.ResponseCode}");
        }

        var mx = response.Answers.MxRecords().OrderBy(r => r.Preference).Select(r => ((int)r.Preference, r.Exchange.Original.TrimEnd('.'))).ToList();
        if (mx.Count == 0)
        {
            return ([(0, domain)], "no MX records: the domain itself is the implicit MX (RFC 5321 §5.1)");
        }

        if (mx.Count == 1 && mx[0].Item2.Length == 0)
        {
            return ([], "null MX: the domain accepts no mail (RFC 7505)");
        }

        return (mx.Where(m => m.Item2.Length > 0).ToList(), null);
    }
}
