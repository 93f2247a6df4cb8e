using System.Net;
using DnsClient;
using DnsClient.Protocol;
using MtaSts.Dane;

namespace MtaSts.Tool.Network;

/// <summary>
/// The tool's DNS questions (TXT, MX, A/AAAA) over DnsClient, through the servers given with <c>--name-server</c> or
/// else the machine's (interfaces, then <c>/etc/resolv.conf</c>). Every question is bounded by the timeout; errors
/// are outcomes, never exceptions.
/// </summary>
internal sealed class ToolDns
{
    private readonly ILookupClient? _client;
    private readonly string? _noServers;

    public ToolDns(IReadOnlyList<IPEndPoint> nameServers, TimeSpan timeout)
    {
        var servers = nameServers.Count > 0 ? nameServers : MachineNameServers();
        if (servers.Count == 0)
        {
            _noServers = "no DNS server: none on the network interfaces or in /etc/resolv.conf; use --name-server";
            return;
        }

        _client = new LookupClient(new LookupClientOptions([.. servers.Select(s => new NameServer(s))])
        {
            UseCache = false,
            ThrowDnsErrors = false,
            Timeout = timeout,
            Retries = 0, // --timeout bounds each step, as --help says
            UseTcpFallback = true,
        });
    }

    private ToolDns(ILookupClient? client, string? noServers)
    {
        _client = client;
        _noServers = noServers;
    }

    /// <summary>The name servers asked, for messages (<c>127.0.0.1:53, ...</c>).</summary>
    public string Servers => _client is null ? "(none)" : string.Join(", ", _client.NameServers.Select(s => s.ToString()));

    /// <summary>The name servers not on loopback (their AD bit crosses the network), comma-separated; empty when all are local.</summary>
    public string RemoteServers => _client is null ? string.Empty : string.Join(", ", DaneLookup.RemoteNameServers(_client));

    /// <summary>
    /// The same servers and limits with the DO bit on every question, so answers report the validating resolver's AD
    /// bit (<see cref="DnsAnswer{T}.Authenticated"/>); for DANE only (RFC 7672 §2.1.1).
    /// </summary>
    public ToolDns WithDnssec() => _client is null ? this : new ToolDns(DaneLookup.WithDnssec(_client), null);

    /// <summary>The DANE lookups over this client (a <see cref="WithDnssec"/> one); <see langword="null"/> without name servers.</summary>
    public DaneLookup? Dane() => _client is null ? null : new DaneLookup(_client);

    /// <summary>The TXT records at <paramref name="name"/>, each one's strings joined without spaces (TXT-5).</summary>
    public async Task<DnsAnswer<string>> TxtAsync(string name, CancellationToken cancellationToken)
    {
        var (response, error) = await QueryAsync(name, QueryType.TXT, cancellationToken).ConfigureAwait(false);
        return response is null ? DnsAnswer<string>.Failed(error!) : Answer(response, [.. response.Answers.TxtRecords().Select(r => string.Concat(r.Text))]);
    }

    /// <summary>The MX records of <paramref name="domain"/> in preference order, host names without the root dot (MX-5).</summary>
    public async Task<DnsAnswer<(int Preference, string Host)>> MxAsync(string domain, CancellationToken cancellationToken)
    {
        var (response, error) = await QueryAsync(domain, QueryType.MX, cancellationToken).ConfigureAwait(false);
        return response is null
            ? DnsAnswer<(int, string)>.Failed(error!)
            : Answer(response, [.. response.Answers.MxRecords().OrderBy(r => r.Preference).Select(r => ((int)r.Preference, r.Exchange.Value.TrimEnd('.')))]);
    }

    /// <summary>The IPv4 then IPv6 addresses of <paramref name="host"/>.</summary>
    public async Task<DnsAnswer<IPAddress>> AddressesAsync(string host, CancellationToken cancellationToken)
    {
        var a = await QueryAsync(host, QueryType.A, cancellationToken).ConfigureAwait(false);
        var aaaa = await QueryAsync(host, QueryType.AAAA, cancellationToken).ConfigureAwait(false);
        List<IPAddress> addresses = [];
        addresses.AddRange(a.Response?.Answers.ARecords().Select(r => r.Address) ?? []);
        addresses.AddRange(aaaa.Response?.Answers.AaaaRecords().Select(r => r.Address) ?? []);
        if (addresses.Count > 0)
        {
            return new DnsAnswer<IPAddress>(DnsOutcome.Found, addresses, null);
        }

        return a.Response is null ? DnsAnswer<IPAddress>.Failed(a.Error!)
            : aaaa.Response is null ? DnsAnswer<IPAddress>.Failed(aaaa.Error!)
            : Answer<IPAddress>(a.Response, []);
    }

    private static DnsAnswer<T> Answer<T>(IDnsQueryResponse response, IReadOnlyList<T> values)
    {
        var code = response.Header.ResponseCode;
        if (code == DnsHeaderResponseCode.NotExistentDomain)
        {
            return new DnsAnswer<T>(DnsOutcome.NotFound, [], "NXDOMAIN") { Authenticated = response.Header.IsAuthenticData };
        }

        if (response.HasError)
        {
            return DnsAnswer<T>.Failed($"{code} from {response.NameServer}");
        }

        return new DnsAnswer<T>(values.Count > 0 ? DnsOutcome.Found : DnsOutcome.NotFound, values, values.Count > 0 ? null : "no records (NODATA)")
        {
            Authenticated = response.Header.IsAuthenticData,
        };
    }

    private async Task<(IDnsQueryResponse? Response, string? Error)> QueryAsync(string name, QueryType type, CancellationToken cancellationToken)
    {
        if (_client is null)
        {
            return (null, _noServers);
        }

        try
        {
            return (await _client.QueryAsync(name, type, QueryClass.IN, cancellationToken).ConfigureAwait(false), null);
        }
        catch (DnsResponseException ex) when (!cancellationToken.IsCancellationRequested)
        {
            // A timeout, an unreachable server or a malformed answer (known-good: a timeout throws, it is no result).
            return (null, $"{type} query failed: {ex.Code} ({ex.Message})");
        }
        catch (DnsResponseException)
        {
            throw new OperationCanceledException(cancellationToken); // DnsClient reports cancellation as a timeout
        }
        catch (ArgumentException ex)
        {
            return (null, $"{type} query for '{name}' refused: {ex.Message}");
        }
#pragma warning disable CA1031 // Hostile answers surface as other exception types (DnsXidMismatchException): all are "no answer".
        catch (Exception ex) when (ex is not OperationCanceledException)
#pragma warning restore CA1031
        {
            return (null, $"{type} query failed: {ex.GetType().Name}: {ex.Message}");
        }
    }

    // DnsClient reads only the network interfaces; on a host with only lo it finds none, so /etc/resolv.conf follows.
    private static IReadOnlyList<IPEndPoint> MachineNameServers()
    {
        try
        {
            var found = NameServer.ResolveNameServers(skipIPv6SiteLocal: true, fallbackToGooglePublicDns: false);
            if (found.Count > 0)
            {
                return [.. found.Select(s => new IPEndPoint(IPAddress.Parse(s.Address), s.Port))];
            }
        }
        catch (InvalidOperationException)
        {
            // fall through to resolv.conf
        }

        try
        {
            return [.. File.ReadLines("/etc/resolv.conf").Take(200)
                .Select(l => l.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries))
                .Where(f => f.Length >= 2 && f[0] == "nameserver" && IPAddress.TryParse(f[1], out _))
                .Select(f => new IPEndPoint(IPAddress.Parse(f[1]), 53))
                .Take(8)];
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return [];
        }
    }
}
