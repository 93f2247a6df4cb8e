namespace MtaSts.Dane;

/// <summary>
/// The DANE facts of one MX host (RFC 7672 §2.2): how secure its TLSA lookup was, the TLSA RRset, and the names a
/// DANE-TA(2) certificate may carry. Built by the sender from DNS; read by the decision table and the matcher.
/// </summary>
/// <param name="Status">The DNSSEC status of the TLSA lookup (<see cref="DnssecStatus.Insecure"/> when the MX or address
/// lookups were insecure and TLSA was never asked, RFC 7672 §2.2.1–2.2.2).</param>
/// <param name="TlsaName">The TLSA owner name looked up, <c>_25._tcp.&lt;host&gt;</c>.</param>
/// <param name="Records">The TLSA RRset; empty when the name has none.</param>
/// <param name="ReferenceNames">The names a DANE-TA(2) certificate is checked against: the TLSA base domain (the
/// CNAME-expanded host when TLSA came from there), the MX host and the next-hop domain (RFC 7672 §3.2.2).</param>
/// <param name="Detail">Why the lookup was not secure, when it was not.</param>
internal sealed record DaneState(DnssecStatus Status, string TlsaName, IReadOnlyList<TlsaAssociation> Records, IReadOnlyList<string> ReferenceNames,
    string? Detail = null)
{
    /// <summary>The state of a host DANE does not apply to (unsigned zone, DANE off).</summary>
    public static DaneState Insecure(string host, string? detail = null) => new(DnssecStatus.Insecure, TlsaOwner(host), [], [host], detail);

    /// <summary>The state of a host whose DNSSEC status could not be learnt: DANE may apply, so it is unusable (DANE-5).</summary>
    public static DaneState Indeterminate(string host, string detail) => new(DnssecStatus.Indeterminate, TlsaOwner(host), [], [host], detail);

    /// <summary>The TLSA owner name of an SMTP server at <paramref name="baseDomain"/>: <c>_25._tcp.&lt;base domain&gt;</c>.</summary>
    public static string TlsaOwner(string baseDomain) => TlsaPrefix + baseDomain;

    /// <summary>Secure TLSA with at least one usable record: DANE decides this MX (DANE-2, DANE-4).</summary>
    public bool HasUsableRecords => Status == DnssecStatus.Secure && Records.Any(r => r.IsUsable);

    /// <summary>
    /// Secure TLSA whose records are all unusable: no authentication, but STARTTLS stays mandatory (RFC 7672 §2.2,
    /// "mandatory unauthenticated TLS"); the MTA-STS decision applies otherwise.
    /// </summary>
    public bool OnlyUnusableRecords => Status == DnssecStatus.Secure && Records.Count > 0 && !Records.Any(r => r.IsUsable);

    /// <summary>A failed TLSA lookup for a name that may be signed: the host is unusable (RFC 7672 §2.2, DANE-5).</summary>
    public bool LookupFailed => Status is DnssecStatus.Bogus or DnssecStatus.Indeterminate;

    /// <summary>
    /// The TLSA base domain: the CNAME-expanded host when its TLSA records were used, else the host (RFC 7672 §2.2.3).
    /// With usable records it is the SNI the client sends (RFC 7672 §8.1), so the server can pick the certificate the
    /// records describe.
    /// </summary>
    public string BaseDomain => TlsaName.StartsWith(TlsaPrefix, StringComparison.Ordinal) ? TlsaName[TlsaPrefix.Length..] : TlsaName;

    private const string TlsaPrefix = "_25._tcp.";

    /// <summary>Whether STARTTLS is mandatory on this host because of DANE.</summary>
    public bool RequiresTls => HasUsableRecords || OnlyUnusableRecords;

    /// <summary>
    /// Whether the sender requires DANE for this host's domain: without secure, usable TLSA records the host is
    /// refused (<c>dane-required</c>, RFC 8460 §4.3.2.1) instead of falling back to MTA-STS.
    /// </summary>
    public bool Required { get; init; }

    /// <summary>The TLSA records as TLS-RPT policy strings (RFC 8460 §4.3, DANE-6).</summary>
    public IReadOnlyList<string> PolicyStrings => field ??= [.. Records.Select(r => r.ToString())];
}
