namespace MtaSts.Caching;

/// <summary>A fetched policy as a store keeps it (CACHE-10): the domain, the TXT id, the raw policy text and the fetch time.</summary>
/// <param name="Domain">The normalised policy domain.</param>
/// <param name="RecordId">The TXT record id the policy was fetched under.</param>
/// <param name="PolicyText">The policy text as fetched; parsed again on load.</param>
/// <param name="FetchedAt">When it was fetched; the policy expires at this time plus its <c>max_age</c>.</param>
public sealed record MtaStsStoredPolicy(string Domain, string RecordId, string PolicyText, DateTimeOffset FetchedAt);
