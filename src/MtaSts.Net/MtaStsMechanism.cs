namespace MtaSts;

/// <summary>The mechanism whose rules decided an MX host.</summary>
public enum MtaStsMechanism
{
    /// <summary>MTA-STS (RFC 8461), or opportunistic TLS without a policy.</summary>
    MtaSts = 0,

    /// <summary>DANE for SMTP (RFC 7672): the MX has DNSSEC-secure TLSA records, or their lookup failed.</summary>
    Dane = 1,
}
