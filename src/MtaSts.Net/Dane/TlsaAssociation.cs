namespace MtaSts.Dane;

/// <summary>
/// One TLSA record (RFC 6698 §2.1): certificate usage, selector, matching type and the association data. Only
/// DANE-TA(2) and DANE-EE(3) with selectors 0/1 and matching types 0/1/2 are usable for SMTP (RFC 7672 §3.1, DANE-2).
/// </summary>
internal sealed record TlsaAssociation(byte Usage, byte Selector, byte MatchingType, byte[] Data)
{
    public const byte DaneTa = 2;
    public const byte DaneEe = 3;

    /// <summary>
    /// Whether the record can authenticate an SMTP server: PKIX-TA(0) and PKIX-EE(1) are unusable for SMTP (RFC 7672
    /// §3.1.3), as are unknown usages, selectors and matching types, and digests of the wrong length (RFC 7671 §4).
    /// </summary>
    public bool IsUsable => Usage is DaneTa or DaneEe && Selector is 0 or 1 && MatchingType switch
    {
        0 => Data.Length > 0,
        1 => Data.Length == 32,
        2 => Data.Length == 64,
        _ => false,
    };

    /// <summary>The presentation form (<c>3 1 1 ab12…</c>), as a TLS-RPT policy string (RFC 8460 §4.3).</summary>
    public override string ToString() => $"{Usage} {Selector} {MatchingType} {Convert.ToHexStringLower(Data)}";
}
