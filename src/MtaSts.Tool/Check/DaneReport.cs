namespace MtaSts.Tool.Check;

/// <summary>What <c>mta-sts check --dane</c> learned: the resolver, whether it validates, the MX RRset's security, each host's DANE facts.</summary>
/// <param name="Resolver">The name servers asked.</param>
/// <param name="ResolverValidates">Whether the resolver set AD for the signed root; <see langword="null"/> when it did not answer.</param>
/// <param name="MxSecure">Whether the domain's MX answer carried AD; <see langword="null"/> when the MX lookup failed.</param>
/// <param name="Hosts">The DANE facts per MX host (case-insensitive host names).</param>
internal sealed record DaneReport(string Resolver, bool? ResolverValidates, bool? MxSecure, IReadOnlyDictionary<string, MxDane> Hosts);
