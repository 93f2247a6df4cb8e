namespace MtaSts.Reporting;

/// <summary>Options of the TLS-RPT reporter.</summary>
public sealed class TlsRptOptions
{
    /// <summary>The <c>organization-name</c> of the reports.</summary>
    /// <value>Empty: must be set.</value>
    public string OrganizationName { get; set; } = string.Empty;

    /// <summary>The <c>contact-info</c> address; its domain is the submitter.</summary>
    /// <value>Empty: must be set.</value>
    public string ContactInfo { get; set; } = string.Empty;

    /// <summary>
    /// A directory where this sender keeps its counters and the reports it sent (<c>tlsrpt-state.json</c>), so a restart
    /// loses nothing and sends nothing twice. One directory per sender; a fleet shares Redis instead
    /// (<c>UseRedisTlsRptState</c>, which takes precedence).
    /// </summary>
    /// <value><see langword="null"/>: memory only.</value>
    public string? StateDirectory { get; set; }

    /// <summary>
    /// The DKIM signing domain (<c>d=</c>) of report mail: RFC 8460 §3 requires <c>mailto:</c> reports to carry a valid
    /// DKIM signature of the reporting domain (RPT-17). Set it with <see cref="DkimSelector"/> and a private key
    /// (<see cref="DkimPrivateKey"/> or <see cref="DkimPrivateKeyFile"/>); the MailKit transport then signs every report
    /// (RSA-SHA256, relaxed/relaxed, no <c>l=</c>). It must be the domain of <see cref="ContactInfo"/> (the report's
    /// From) or a parent of it, so that the signature is aligned with From; any other domain fails validation at start.
    /// </summary>
    /// <value><see langword="null"/>: report mail is not signed (relay it through an MTA that signs).</value>
    public string? DkimDomain { get; set; }

    /// <summary>The DKIM selector (<c>s=</c>); RFC 8460 suggests the key record carry <c>s=tlsrpt</c> as its service type.</summary>
    /// <value><see langword="null"/>.</value>
    public string? DkimSelector { get; set; }

    /// <summary>The DKIM private key as PEM text (PKCS#1 or PKCS#8, RSA).</summary>
    /// <value><see langword="null"/>.</value>
    public string? DkimPrivateKey { get; set; }

    /// <summary>A file holding the DKIM private key as PEM (instead of <see cref="DkimPrivateKey"/>).</summary>
    /// <value><see langword="null"/>.</value>
    public string? DkimPrivateKeyFile { get; set; }

    /// <summary>The longest random delay after midnight UTC before a day's reports go out (RPT-14).</summary>
    /// <value>4 hours.</value>
    public TimeSpan MaxRandomDelay { get; set; } = TimeSpan.FromHours(4);

    /// <summary>How long failed deliveries are retried, with exponential back-off (RPT-20).</summary>
    /// <value>24 hours.</value>
    public TimeSpan RetryFor { get; set; } = TimeSpan.FromHours(24);

    /// <summary>The first retry delay; it doubles after each failure.</summary>
    /// <value>1 minute.</value>
    public TimeSpan FirstRetryDelay { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// A stable name of this sending instance, part of the report ids it sends (RFC 8460 §4.4: unique) and of its leases
    /// in a shared state store. Letters, digits, '-', '_' and '.', at most 64 characters. Set it in containers and
    /// wherever the host name changes at each start (a pod name, a service name plus a replica index).
    /// </summary>
    /// <value>
    /// <see langword="null"/>: derived from the machine name and a hash of the installation (the application base
    /// directory and, with a host, its content root), which is stable across restarts of one installation on one machine
    /// and differs between two installations on the same machine.
    /// </value>
    public string? InstanceId { get; set; }

    /// <summary>Completed days still held older than this are dropped unsent, with a log (a restart sends the others, oldest first).</summary>
    /// <value>7 days.</value>
    public TimeSpan MaxReportAge { get; set; } = TimeSpan.FromDays(7);

    /// <summary>How many <c>rua</c> URIs of one domain are tried per attempt, in record order.</summary>
    /// <value>5.</value>
    public int MaxReportUrisPerDomain { get; set; } = 5;

    /// <summary>The longest time spent on one domain's report per attempt (TLS-RPT lookup and every endpoint).</summary>
    /// <value>2 minutes.</value>
    public TimeSpan DomainTimeBudget { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>The timeout of one HTTPS report POST (RPT-19).</summary>
    /// <value>30 seconds.</value>
    public TimeSpan HttpTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Whether <c>https:</c> report endpoints may be loopback, private (RFC 1918, unique-local), link-local (including
    /// 169.254.169.254), shared (100.64.0.0/10), multicast or unspecified addresses. Off, the addresses actually connected
    /// to are checked, so a name that resolves (or rebinds) to one of them is refused. Turn it on only for private
    /// deployments and tests.
    /// </summary>
    /// <value><see langword="false"/>.</value>
    public bool AllowPrivateEndpoints { get; set; }

    /// <summary>
    /// The longest time the reporting service takes to stop (or to be disposed): the end of a run in progress and the
    /// final save of the counters to the state store. A store that does not answer within it (Redis down, a hung file
    /// system) is abandoned with a warning, and the sessions recorded since the last save (at most a minute's) are
    /// lost. The host's shutdown token, when it fires first, ends the wait too.
    /// </summary>
    /// <value>10 seconds.</value>
    public TimeSpan StopTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How many domains' reports are sent at the same time.</summary>
    /// <value>4.</value>
    public int MaxConcurrentDomains { get; set; } = 4;

    /// <summary>
    /// The most policy domains counted per UTC day; sessions of further domains are not counted (the metric
    /// <c>mtasts.tlsrpt.sessions.dropped</c> counts them, and the day's run logs them). Also bounds the cache of TLS-RPT records.
    /// </summary>
    /// <value>10,000.</value>
    public int MaxDomainsPerDay { get; set; } = 10_000;
}
