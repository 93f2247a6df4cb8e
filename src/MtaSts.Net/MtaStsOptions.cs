using System.Net;
using System.Net.Http;
using System.Reflection;
using System.Security.Cryptography.X509Certificates;
using MtaSts.DependencyInjection;
using MtaSts.Discovery;

namespace MtaSts;

/// <summary>Options of <see cref="MtaStsEnforcer"/>.</summary>
public sealed class MtaStsOptions
{
    internal static readonly string DefaultUserAgent =
        $"MtaSts.Net/{typeof(MtaStsOptions).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "0"} (+https://github.com/mtasts-net/MtaSts.Net)";

    /// <summary>
    /// DNS servers to query. Empty: the machine's resolvers, from the network interfaces or else from
    /// <c>/etc/resolv.conf</c> (a host whose only interface is loopback, some containers). When none is found at all,
    /// <see cref="MtaStsEnforcer.Create"/> and start-up validation fail with a message that says so.
    /// </summary>
    /// <value>Empty.</value>
    public IList<IPEndPoint> NameServers { get; } = [];

    /// <summary>Timeout of one DNS query.</summary>
    /// <value>5 seconds.</value>
    public TimeSpan DnsTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How many times a DNS query is retried after a timeout.</summary>
    /// <value>1.</value>
    public int DnsRetries { get; set; } = 1;

    /// <summary>What to do when the TXT lookup fails temporarily and no policy is cached.</summary>
    /// <value><see cref="MtaStsDnsFailureBehavior.FailClosed"/>.</value>
    public MtaStsDnsFailureBehavior DnsFailureBehavior { get; set; } = MtaStsDnsFailureBehavior.FailClosed;

    /// <summary>
    /// How many times a policy fetch is retried after a transient failure (a transport error, 408, 429, 5xx), within
    /// <see cref="FetchTimeout"/>. Applies to the dependency-injection HTTP client, whose Polly pipeline does the retries.
    /// </summary>
    /// <value>2.</value>
    public int FetchRetries { get; set; } = 2;

    /// <summary>Total time for one policy fetch: connect, TLS, headers and body (FETCH-9).</summary>
    /// <value>60 seconds.</value>
    public TimeSpan FetchTimeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>The largest policy body accepted, in bytes; a larger one is a fetch error, never truncated (FETCH-10).</summary>
    /// <value>65536.</value>
    public int MaxPolicyBytes { get; set; } = 64 * 1024;

    /// <summary>The User-Agent sent with policy fetches.</summary>
    /// <value><c>MtaSts.Net/&lt;version&gt; (+https://github.com/mtasts-net/MtaSts.Net)</c>.</value>
    public string UserAgent { get; set; } = DefaultUserAgent;

    /// <summary>
    /// How strictly TXT records and policies are read. The default accepts only the deviations whose meaning is plain
    /// (blank lines and a byte-order mark in a policy, a trailing dot on an <c>mx</c>, an empty value of an unknown
    /// field), logging each as a warning, so that a publisher's slip does not silently turn <c>enforce</c> into
    /// opportunistic TLS; <see cref="MtaStsParsingMode.Strict"/> rejects them.
    /// </summary>
    /// <value><see cref="MtaStsParsingMode.Tolerant"/>.</value>
    public MtaStsParsingMode ParsingMode { get; set; } = MtaStsParsingMode.Tolerant;

    /// <summary>Trust anchors for policy-host certificates instead of the machine store (private PKI, tests).</summary>
    /// <value><see langword="null"/>: the machine store, which honours <c>SSL_CERT_FILE</c> / <c>SSL_CERT_DIR</c>.</value>
    public X509Certificate2Collection? PolicyHostTrustedRoots { get; set; }

    /// <summary>Trust anchors for MX certificates instead of the machine store (private PKI, tests).</summary>
    /// <value><see langword="null"/>: the machine store.</value>
    public X509Certificate2Collection? MxTrustedRoots { get; set; }

    /// <summary>
    /// Check policy-host certificates for revocation (FETCH-4): the CRL and OCSP URLs in the chain are asked online,
    /// each bounded by a 5-second timeout, and a revoked certificate, or one whose status cannot be learnt, fails the
    /// fetch as <c>sts-webpki-invalid</c>. Off by default: a certificate must not make the sender fetch URLs of the
    /// peer's choosing, and validation then never goes to the network. Missing intermediates are never downloaded.
    /// MX certificates (CERT-11) are checked offline whatever this says.
    /// </summary>
    /// <value><see langword="false"/>.</value>
    public bool CheckCertificateRevocation { get; set; }

    /// <summary>
    /// Without a policy (or under mode <c>none</c>) MX certificates are not checked: opportunistic TLS accepts any
    /// certificate, as RFC 8461 intends. Set this to fail closed on an invalid certificate anyway (plaintext stays allowed).
    /// </summary>
    /// <value><see langword="false"/>.</value>
    public bool RequireValidCertificateWithoutPolicy { get; set; }

    /// <summary>The shortest time a TXT answer (or a failed lookup) is trusted before the record is asked again.</summary>
    /// <value>1 minute.</value>
    public TimeSpan TxtRecheckMinimum { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>The longest time a TXT answer is trusted, whatever its TTL (FLOW-15: at most one query per TTL).</summary>
    /// <value>1 hour.</value>
    public TimeSpan TxtRecheckMaximum { get; set; } = TimeSpan.FromHours(1);

    /// <summary>How many domains the in-memory cache holds; past that the weakest entries are evicted.</summary>
    /// <value>100000.</value>
    public int MaxCacheEntries { get; set; } = 100_000;

    /// <summary>
    /// The longest a call to the policy store (file, Redis, …) may take on the lookup path; past it the store is
    /// treated as unavailable for that call. Writes are queued and never delay a lookup.
    /// </summary>
    /// <value>1 second.</value>
    public TimeSpan StoreTimeout { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>How long a policy store that keeps failing or timing out is bypassed before it is tried again.</summary>
    /// <value>30 seconds.</value>
    public TimeSpan StoreBreakDuration { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Opens the TCP connection to a policy host yourself (a proxy, a fixed address, tests). The TLS handshake, SNI
    /// and certificate checks still apply to the <c>mta-sts.&lt;domain&gt;</c> host name.
    /// </summary>
    /// <value><see langword="null"/>: the host name is resolved by the operating system and port 443 is dialled.</value>
    public Func<SocketsHttpConnectionContext, CancellationToken, ValueTask<Stream>>? PolicyHostConnectCallback { get; set; }

    /// <summary>
    /// Every problem with these options, each naming the option and its value; empty when they are valid. Used by
    /// <see cref="MtaStsEnforcer.Create"/> (bare option names) and by the options validator at start-up (<c>MtaSts:</c> keys).
    /// </summary>
    internal void Check(OptionsRules rules)
    {
        rules.Within(nameof(DnsTimeout), DnsTimeout, TimeSpan.FromMinutes(1));
        rules.Within(nameof(FetchTimeout), FetchTimeout, TimeSpan.FromMinutes(10));
        rules.Within(nameof(TxtRecheckMinimum), TxtRecheckMinimum, TimeSpan.FromDays(1));
        rules.Within(nameof(TxtRecheckMaximum), TxtRecheckMaximum, TimeSpan.FromDays(7));
        rules.Within(nameof(StoreTimeout), StoreTimeout, TimeSpan.FromMinutes(1));
        rules.Within(nameof(StoreBreakDuration), StoreBreakDuration, TimeSpan.FromHours(1));
        if (StoreTimeout > TimeSpan.Zero && StoreTimeout < TimeSpan.FromMilliseconds(10))
        {
            rules.Fail(nameof(StoreTimeout), "must be at least 10 ms", StoreTimeout);
        }

        if (StoreBreakDuration > TimeSpan.Zero && StoreBreakDuration < TimeSpan.FromMilliseconds(500))
        {
            rules.Fail(nameof(StoreBreakDuration), "must be at least 500 ms", StoreBreakDuration);
        }

        if (TxtRecheckMaximum < TxtRecheckMinimum)
        {
            rules.Fail(nameof(TxtRecheckMaximum), $"must be at least {rules.Key(nameof(TxtRecheckMinimum))} ({TxtRecheckMinimum})", TxtRecheckMaximum);
        }

        rules.Between(nameof(DnsRetries), DnsRetries, 0, 10);
        rules.Between(nameof(FetchRetries), FetchRetries, 0, 5);
        rules.Between(nameof(MaxPolicyBytes), MaxPolicyBytes, 1024, 1024 * 1024);
        rules.Between(nameof(MaxCacheEntries), MaxCacheEntries, 1, 10_000_000);
        rules.NotEmpty(nameof(UserAgent), UserAgent);
        if (!Enum.IsDefined(ParsingMode))
        {
            rules.Fail(nameof(ParsingMode), "must be a parsing mode", (int)ParsingMode);
        }

        if (!Enum.IsDefined(DnsFailureBehavior))
        {
            rules.Fail(nameof(DnsFailureBehavior), "must be a DNS failure behavior", (int)DnsFailureBehavior);
        }

        foreach (var server in NameServers)
        {
            if (server is null || server.Port is < 1 or > 65535)
            {
                rules.Fail(nameof(NameServers), "must hold address:port endpoints", server?.ToString());
            }
        }

        if (NameServers.Count == 0 && NameServerDiscovery.Resolve([]).Count == 0)
        {
            rules.Fail($"{rules.Key(nameof(NameServers))}: {NameServerDiscovery.NoneFoundMessage}");
        }
    }
}
