namespace MtaSts.MailKit.Internal;

/// <summary>What DNS said about a domain's mail exchangers.</summary>
internal enum MxLookupStatus
{
    /// <summary>MX records (or the implicit MX).</summary>
    Found,

    /// <summary>The domain does not exist (NXDOMAIN): permanent.</summary>
    NoSuchDomain,

    /// <summary>A null MX (RFC 7505): the domain accepts no mail, permanent.</summary>
    NullMx,

    /// <summary>The lookup failed: temporary.</summary>
    TemporaryFailure,
}

/// <summary>The MX candidates of a domain, in preference order, or why there are none.</summary>
internal sealed record MxLookupResult(MxLookupStatus Status, IReadOnlyList<(int Preference, string Host)> Hosts, bool Implicit, string? Detail)
{
    /// <summary>Whether the validating resolver set the AD bit on the MX answer (or its denial): RFC 7672 §2.2.1.</summary>
    public bool Secure { get; init; }
}
