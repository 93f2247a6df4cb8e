using System.Collections.Frozen;
using System.Net;
using System.Net.Sockets;
using MtaSts.Dane;
using MtaSts.MailKit.Delivery;

namespace MtaSts.MailKit.Internal;

/// <summary>
/// The MX → address → connect loop every SMTP delivery of this package runs (direct delivery and TLS-RPT report mail):
/// MX hosts in preference order with equal preferences shuffled (RFC 5321 §5.1), at most
/// <see cref="MtaStsDirectSenderOptions.MaxMxHosts"/> hosts and <see cref="MtaStsDirectSenderOptions.MaxAddressesPerHost"/>
/// addresses each, every TCP connection bounded by <see cref="MtaStsDirectSenderOptions.ConnectTimeout"/>. What an
/// attempt does on the connection is the caller's; the loop only walks the candidates.
/// </summary>
internal sealed class MxDeliveryLoop
{
    private readonly MtaStsDirectSenderOptions _options;
    private readonly MxResolver _resolver;
    private readonly DaneLookup? _dane;
    private readonly Random _random;
    private readonly DnsClient.ILookupClient _client;
    private int _resolverChecked;
    private readonly FrozenSet<string> _daneRequired;

    public MxDeliveryLoop(DnsClient.ILookupClient dns, MtaStsDirectSenderOptions options, Random random, bool allowDane = true)
    {
        _options = options;
        // DANE asks for DNSSEC records (DO bit) on the MX, address and TLSA lookups and trusts the AD bit of the
        // configured validating resolver (RFC 7672 §2.1): the same name servers and timeouts, with DO set.
        var dane = allowDane && options.UseDane;
        var client = dane ? DaneLookup.WithDnssec(dns) : dns;
        _resolver = new MxResolver(client);
        _dane = dane ? new DaneLookup(client) : null;
        _client = client;
        _random = random;
        // A copy, in A-label form: the list may change after start, and recipient domains arrive normalised (IDN).
        _daneRequired = options.DaneRequiredDomains
            .Select(d => MtaSts.Internal.DomainName.TryNormalize(d ?? string.Empty, out var name, out _) ? name : null)
            .OfType<string>()
            .ToFrozenSet(StringComparer.OrdinalIgnoreCase);
    }

    /// <summary>
    /// Once per loop, when DANE is on: the name servers that are not on this machine (the AD bit is only as trustworthy
    /// as the path to the resolver, RFC 7672 §2.1), and whether the resolver validates at all (AD on the signed root);
    /// <see langword="null"/> when DANE is off or the check already ran.
    /// </summary>
    public async Task<(IReadOnlyList<string> Remote, bool? Validates, string Servers)?> CheckResolverOnceAsync(CancellationToken cancellationToken)
    {
        if (_dane is null || Interlocked.Exchange(ref _resolverChecked, 1) != 0)
        {
            return null;
        }

        bool? validates;
        try
        {
            validates = await _dane.ResolverSetsAdAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            Volatile.Write(ref _resolverChecked, 0); // not checked after all: the next delivery asks again
            throw;
        }

        return (DaneLookup.RemoteNameServers(_client), validates, string.Join(", ", _client.NameServers.Select(s => s.ToString())));
    }

    /// <summary>Looks up the MX hosts of <paramref name="domain"/> and puts them in the order they are tried.</summary>
    public async Task<(MxLookupResult Lookup, IReadOnlyList<string> Candidates)> ResolveAsync(string domain, CancellationToken cancellationToken)
    {
        var lookup = await _resolver.LookupMxAsync(domain, cancellationToken).ConfigureAwait(false);
        IReadOnlyList<string> candidates = lookup.Status == MxLookupStatus.Found
            ? [.. MxOrdering.Order(lookup.Hosts, _random).Take(_options.MaxMxHosts)]
            : [];
        return (lookup, candidates);
    }

    /// <summary>
    /// The DANE facts of the candidates of one delivery, each looked up when the walk reaches it, when
    /// <see cref="MtaStsDirectSenderOptions.UseDane"/> is on (RFC 7672 §2.2); <see langword="null"/> when it is off.
    /// </summary>
    public CandidateDane? DaneFor(MxLookupResult lookup, string domain) =>
        _dane is null ? null : new CandidateDane(_dane, domain, lookup.Secure, _daneRequired.Contains(domain));

    /// <summary>
    /// Walks <paramref name="candidates"/>: a host <paramref name="skip"/> turns down is not resolved; a host without an
    /// address is passed to <paramref name="noAddress"/>; each address goes to <paramref name="attempt"/>, which says where
    /// to go next. Returns whether an attempt stopped the loop. Bounded: hosts and addresses by the options.
    /// </summary>
    public async Task<bool> RunAsync(IReadOnlyList<string> candidates, Func<string, Task<bool>> skip, Action<string> noAddress,
        Func<string, IPAddress, Task<MxStep>> attempt, CancellationToken cancellationToken)
    {
        foreach (var host in candidates.Take(_options.MaxMxHosts))
        {
            if (await skip(host).ConfigureAwait(false))
            {
                continue;
            }

            var addresses = await _resolver.LookupAddressesAsync(host, cancellationToken).ConfigureAwait(false);
            if (addresses.Count == 0)
            {
                noAddress(host);
                continue;
            }

            foreach (var address in addresses.Take(_options.MaxAddressesPerHost))
            {
                var step = await attempt(host, address).ConfigureAwait(false);
                if (step == MxStep.Stop)
                {
                    return true;
                }

                if (step == MxStep.NextHost)
                {
                    break;
                }
            }
        }

        return false;
    }

    /// <summary>Opens a TCP connection to <paramref name="address"/> on the SMTP port, within the connect timeout.</summary>
    public async Task<Socket> ConnectAsync(IPAddress address, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_options.ConnectTimeout);
        var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(address, _options.Port, timeout.Token).ConfigureAwait(false);
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }
}
