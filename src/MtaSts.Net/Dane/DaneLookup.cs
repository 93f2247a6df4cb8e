using DnsClient;
using DnsClient.Protocol;
namespace MtaSts.Dane;

/// <summary>
/// The DNS half of DANE for one MX host (RFC 7672 §2.2), through a resolver that requests DNSSEC and trusts its AD bit:
/// <code>
/// MX RRset insecure                               → insecure: DANE does not apply (§2.2.1)
/// address RRset insecure (any CNAME link unsigned) → insecure (§2.2.2)
/// TLSA at _25._tcp.&lt;CNAME-expanded host&gt;, then at _25._tcp.&lt;host&gt; when the expanded name has none (§2.2.3)
///   AD + records → secure, records      AD + NXDOMAIN/NODATA → secure, none (DANE does not apply)
///   no AD        → insecure             SERVFAIL → bogus      timeout / other errors → indeterminate
/// </code>
/// Bogus and indeterminate never downgrade: the decision table makes the host unusable (DANE-5).
/// </summary>
internal sealed class DaneLookup(ILookupClient client)
{
    /// <summary>A client on the same name servers and settings as <paramref name="dns"/> that sets the DO bit (DANE).</summary>
    public static ILookupClient WithDnssec(ILookupClient dns)
    {
        var settings = dns.Settings;
        return new LookupClient(new LookupClientOptions([.. dns.NameServers])
        {
            AutoResolveNameServers = false,
            UseCache = false,
            Timeout = settings.Timeout,
            Retries = settings.Retries,
            UseTcpFallback = true,
            ThrowDnsErrors = false,
            ContinueOnDnsError = false,
            RequestDnsSecRecords = true,
        });
    }

    /// <summary>
    /// The name servers of <paramref name="client"/> that are not on loopback (<c>address:port</c>): their AD bit crosses
    /// the network, where an attacker on the path can forge it (RFC 7672 §2.1).
    /// </summary>
    public static IReadOnlyList<string> RemoteNameServers(ILookupClient client) =>
        [.. client.NameServers.Where(s => !System.Net.IPAddress.TryParse(s.Address, out var address) || !System.Net.IPAddress.IsLoopback(address)).Select(s => s.ToString())];

    /// <summary>
    /// Whether the resolver behind this client validates DNSSEC, checked cheaply: the root zone is signed, so a
    /// validating resolver answers <c>. SOA</c> with the AD bit. <see langword="null"/> when the question got no answer.
    /// A resolver that does not set AD makes every TLSA lookup "insecure": DANE would silently never apply.
    /// </summary>
    public async Task<bool?> ResolverSetsAdAsync(CancellationToken cancellationToken)
    {
        try
        {
            var response = await client.QueryAsync(".", QueryType.SOA, QueryClass.IN, cancellationToken).ConfigureAwait(false);
            return response.HasError ? null : response.Header.IsAuthenticData;
        }
#pragma warning disable CA1031 // any failure: unknown, not "validating"
        catch (Exception)
#pragma warning restore CA1031
        {
            cancellationToken.ThrowIfCancellationRequested(); // DnsClient reports a cancelled query as DnsResponseException
            return null;
        }
    }

    public async Task<DaneState> LookupAsync(string host, string nextHop, bool mxSecure, CancellationToken cancellationToken)
    {
        if (!mxSecure)
        {
            return DaneState.Insecure(host, "the MX RRset is not DNSSEC-validated (RFC 7672 §2.2.1)");
        }

        var (addressSecure, expanded, failed) = await AddressesAsync(host, cancellationToken).ConfigureAwait(false);
        if (failed)
        {
            // An address lookup went unanswered and none gave an address: whether the host is signed is unknown, so DANE
            // may apply. Never "insecure" (an attacker who breaks these answers would switch DANE off): unusable (DANE-5).
            return DaneState.Indeterminate(host, $"an address lookup of {host} was not answered");
        }

        if (!addressSecure)
        {
            return DaneState.Insecure(host, $"the address records of {host} are not DNSSEC-validated (RFC 7672 §2.2.2)");
        }

        string[] bases = string.Equals(expanded, host, StringComparison.OrdinalIgnoreCase) ? [host] : [expanded, host];
        DaneState? last = null;
        foreach (var name in bases)
        {
            last = await TlsaAsync(name, [.. new[] { name, host, nextHop }.Distinct(StringComparer.OrdinalIgnoreCase)], cancellationToken).ConfigureAwait(false);
            // RFC 7672 §2.2.2: no TLSA at the expanded name (secure denial, or an insecure answer, which counts as none)
            // sends the lookup to the original name; a record set or a failed lookup ends it.
            if (last.LookupFailed || last.Records.Count > 0 && last.Status == DnssecStatus.Secure)
            {
                return last;
            }
        }

        return last!;
    }

    // Secure when the address answer carried AD; the CNAME-expanded name when the answer had a CNAME chain. Failed when
    // a family went unanswered (a timeout, SERVFAIL, a hostile answer) and the other gave no address: an attacker who
    // breaks the A answer of an IPv4-only host must not make it "insecure" (RFC 7672 §2.2, DANE-5).
    private async Task<(bool Secure, string Expanded, bool Failed)> AddressesAsync(string host, CancellationToken cancellationToken)
    {
        var errored = false;
        foreach (var type in new[] { QueryType.A, QueryType.AAAA })
        {
            try
            {
                var response = await client.QueryAsync(host, type, QueryClass.IN, cancellationToken).ConfigureAwait(false);
                errored |= response.Header.ResponseCode is not (DnsHeaderResponseCode.NoError or DnsHeaderResponseCode.NotExistentDomain);
                if (response.HasError || !response.Answers.AddressRecords().Any())
                {
                    continue;
                }

                return (response.Header.IsAuthenticData, Expanded(host, response.Answers.CnameRecords()), false);
            }
#pragma warning disable CA1031 // an unanswered address lookup: no secure address; the other family may still answer
            catch (Exception)
#pragma warning restore CA1031
            {
                cancellationToken.ThrowIfCancellationRequested(); // DnsClient reports a cancelled query as DnsResponseException
                errored = true;
            }
        }

        return (false, host, errored);
    }

    // Follows the CNAME chain from the host (not the order of the answer section), at most 16 links.
    private static string Expanded(string host, IEnumerable<CNameRecord> records)
    {
        var links = records.GroupBy(r => r.DomainName.Original.TrimEnd('.'), StringComparer.OrdinalIgnoreCase)
            .ToDictionary(g => g.Key, g => g.First().CanonicalName.Original.TrimEnd('.'), StringComparer.OrdinalIgnoreCase);
        var name = host;
        for (var i = 0; i < 16 && links.TryGetValue(name, out var next); i++)
        {
            name = next;
        }

        return name;
    }

    private async Task<DaneState> TlsaAsync(string baseName, IReadOnlyList<string> referenceNames, CancellationToken cancellationToken)
    {
        var owner = DaneState.TlsaOwner(baseName);
        IDnsQueryResponse response;
        try
        {
            response = await client.QueryAsync(owner, QueryType.TLSA, QueryClass.IN, cancellationToken).ConfigureAwait(false);
        }
        catch (DnsResponseException ex)
        {
            cancellationToken.ThrowIfCancellationRequested();
            return new DaneState(DnssecStatus.Indeterminate, owner, [], referenceNames, $"no answer: {ex.Code}");
        }
#pragma warning disable CA1031 // hostile answers surface as other exception types: all are "no answer"
        catch (Exception ex) when (ex is not OperationCanceledException)
#pragma warning restore CA1031
        {
            cancellationToken.ThrowIfCancellationRequested();
            return new DaneState(DnssecStatus.Indeterminate, owner, [], referenceNames, $"no answer: {ex.GetType().Name}");
        }

        var code = response.Header.ResponseCode;
        if (response.HasError && code != DnsHeaderResponseCode.NotExistentDomain)
        {
            return code == DnsHeaderResponseCode.ServerFailure
                ? new DaneState(DnssecStatus.Bogus, owner, [], referenceNames, "SERVFAIL from the validating resolver")
                : new DaneState(DnssecStatus.Indeterminate, owner, [], referenceNames, code.ToString());
        }

        if (!response.Header.IsAuthenticData)
        {
            return new DaneState(DnssecStatus.Insecure, owner, [], referenceNames, $"{owner} is not DNSSEC-validated");
        }

        var records = response.Answers.TlsaRecords()
            .Select(r => new TlsaAssociation((byte)r.CertificateUsage, (byte)r.Selector, (byte)r.MatchingType, [.. r.CertificateAssociationData]))
            .ToList();
        return new DaneState(DnssecStatus.Secure, owner, records, referenceNames);
    }
}
