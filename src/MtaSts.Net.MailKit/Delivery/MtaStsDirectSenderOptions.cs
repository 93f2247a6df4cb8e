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
}
