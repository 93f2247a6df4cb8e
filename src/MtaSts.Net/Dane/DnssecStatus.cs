namespace MtaSts.Dane;

/// <summary>What the validating resolver said about a DNS answer (RFC 4033 §5, RFC 7672 §2.1.1).</summary>
internal enum DnssecStatus
{
    /// <summary>The answer (or the denial of existence) carried the AD bit: validated.</summary>
    Secure = 0,

    /// <summary>The answer came without the AD bit: unsigned, DANE does not apply.</summary>
    Insecure = 1,

    /// <summary>The resolver answered SERVFAIL: a validating resolver's answer to a signature that does not validate.</summary>
    Bogus = 2,

    /// <summary>No answer (timeout, malformed reply): whether the name is signed is unknown.</summary>
    Indeterminate = 3,
}
