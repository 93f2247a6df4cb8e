namespace MtaSts.Tool.Network;

/// <summary>What a certificate review found: trust, validity period and the SAN dNSNames against the host.</summary>
internal sealed record CertificateFacts(
    string? TrustProblem,
    DateTimeOffset NotAfter,
    bool Expired,
    bool NotYetValid,
    int DaysLeft,
    bool NameMatches,
    IReadOnlyList<string> DnsNames)
{
    public string NamesText => DnsNames.Count == 0 ? "no SAN dNSName" : string.Join(", ", DnsNames);
}
