using System.Net;

namespace MtaSts.MailKit.Delivery;

/// <summary>
/// Options of <see cref="MtaStsDirectSender"/>. MX and address lookups use the enforcer's DNS settings
/// (<see cref="MtaStsOptions.NameServers"/>, <see cref="MtaStsOptions.DnsTimeout"/>): one set of name servers for all of
/// the library's DNS work.
/// </summary>
public sealed class MtaStsDirectSenderOptions
{
    /// <summary>The SMTP port of the MX hosts.</summary>
    /// <value>25.</value>
    public int Port { get; set; } = 25;

    /// <summary>The name sent in EHLO.</summary>
    /// <value>The machine's host name.</value>
    public string HeloName { get; set; } = Dns.GetHostName();

    /// <summary>Timeout of the TCP connection to one address.</summary>
    /// <value>30 seconds.</value>
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Timeout of each SMTP command.</summary>
    /// <value>2 minutes.</value>
    public TimeSpan CommandTimeout { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>How many MX hosts are tried for one domain.</summary>
    /// <value>10.</value>
    public int MaxMxHosts { get; set; } = 10;

    /// <summary>How many addresses are tried for one MX host.</summary>
    /// <value>2.</value>
    public int MaxAddressesPerHost { get; set; } = 2;

    /// <summary>
    /// Whether the MX certificate is checked for revocation over the network (CRL, OCSP) during the handshake. RFC 8461
    /// §4.2 makes this a MAY (CERT-11); it is off by default because the URLs come from the MX's own certificate, so a
    /// hostile MX could steer the fetches and stall every handshake. Intermediates are never downloaded either way.
    /// </summary>
    /// <value><see langword="false"/>.</value>
    public bool CheckMxCertificateRevocation { get; set; }

    /// <summary>
    /// Whether DANE for SMTP (RFC 7672) applies beside MTA-STS. DNSSEC is not validated here: the MX, address and TLSA
    /// lookups request DNSSEC records (DO bit) from <see cref="MtaStsOptions.NameServers"/> and trust the AD bit of their answers, so
    /// those must be a validating resolver you trust on a trusted path (a local unbound). An MX host with DNSSEC-secure,
    /// usable TLSA records is then decided by DANE alone (RFC 8461 §2: MTA-STS never rescues a DANE failure); hosts
    /// without them keep the MTA-STS decision. The sender checks once (at host start with <c>AddMailKit</c>) that the
    /// resolver sets the AD bit and is on loopback, and logs a warning when not. Callers with their own MX loop use
    /// <see cref="MtaStsSmtpClientExtensions.ConnectWithMtaStsAndDaneAsync(global::MailKit.Net.Smtp.SmtpClient, IMtaStsEnforcer, MtaStsPolicyState, string, int, CancellationToken)"/>.
    /// </summary>
    /// <value><see langword="false"/>.</value>
    public bool UseDane { get; set; }

    /// <summary>
    /// Recipient domains DANE is required for (Postfix's <c>dane-only</c>): an MX host of one of these domains without
    /// DNSSEC-validated, usable TLSA records is refused (TLS-RPT <c>dane-required</c>, RFC 8460 §4.3.2.1), never handed
    /// to MTA-STS or plaintext. Exact names, compared case-insensitively (a subdomain needs its own entry). Needs
    /// <see cref="UseDane"/>.
    /// </summary>
    /// <value>Empty.</value>
    public IList<string> DaneRequiredDomains { get; } = [];

    /// <summary>
    /// Whether a message carrying the header field <c>TLS-Required: No</c> (RFC 8689 §3, value compared case-insensitively)
    /// is delivered without MTA-STS or DANE checks: STARTTLS when offered, any certificate. Off by default because some
    /// providers add the field to all their mail (RT-5); ignored for a message sent with REQUIRETLS (RT-3). The result
    /// says when it was used (<see cref="MtaStsDeliveryResult.TlsRequiredNoHonored"/>).
    /// </summary>
    /// <value><see langword="false"/>.</value>
    public bool HonorTlsRequiredHeader { get; set; }
}
