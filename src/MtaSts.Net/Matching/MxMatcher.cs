using MtaSts.Internal;

namespace MtaSts.Matching;

/// <summary>
/// Matches an MX host against policy <c>mx</c> patterns (RFC 8461 §4.1): case-insensitive ASCII (MX-2), a leading
/// <c>*.</c> standing for exactly one whole left-most label (MX-3), the host's root dot ignored (MX-5), U-labels
/// compared as A-labels (MX-6), no public-suffix logic (MX-7). Allocation-free for ASCII hosts.
/// </summary>
internal static class MxMatcher
{
    public static bool Matches(IReadOnlyList<string> patterns, string mxHost)
    {
        var host = DomainName.ForMatching(mxHost);
        if (!IsCandidateHost(host))
        {
            return false;
        }

        for (var i = 0; i < patterns.Count; i++)
        {
            if (MatchesNormalized(patterns[i], host))
            {
                return true;
            }
        }

        return false;
    }

    public static bool Matches(string pattern, string mxHost)
    {
        var host = DomainName.ForMatching(mxHost);
        return IsCandidateHost(host) && MatchesNormalized(pattern, host);
    }

    private static bool MatchesNormalized(string pattern, ReadOnlySpan<char> host)
    {
        if (pattern.StartsWith("*.", StringComparison.Ordinal))
        {
            var suffix = pattern.AsSpan(1); // ".example.com"
            var dot = host.IndexOf('.');
            return dot > 0 && host[dot..].Equals(suffix, StringComparison.OrdinalIgnoreCase);
        }

        return host.Equals(pattern, StringComparison.OrdinalIgnoreCase);
    }

    // MX-7: a host holding '*' never matches; an empty name or a lone root (null MX, MXR-2) is no candidate.
    private static bool IsCandidateHost(ReadOnlySpan<char> host) => !host.IsEmpty && !host.Contains('*') && host[0] != '.';
}
