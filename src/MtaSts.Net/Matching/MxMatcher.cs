using System.Text;
using MtaSts.Internal;

namespace MtaSts.Matching;

/// <summary>
/// Matches an MX host against policy <c>mx</c> patterns (RFC 8461 §4.1): case-insensitive ASCII (MX-2), a leading
/// <c>*.</c> standing for exactly one whole left-most label (MX-3), the host's root dot ignored (MX-5), U-labels
/// compared as A-labels (MX-6), no public-suffix logic (MX-7). Allocation-free for ASCII hosts.
/// </summary>
internal static class MxMatcher
{
    /// <summary>Matches against ASCII patterns given as byte ranges of <paramref name="utf8"/> (a policy's mx lines).</summary>
    public static bool Matches(byte[] utf8, Range[] patterns, string mxHost)
    {
        var host = DomainName.ForMatching(mxHost);
        if (!IsCandidateHost(host))
        {
            return false;
        }

        foreach (var range in patterns)
        {
            var pattern = utf8.AsSpan()[range];
            if (pattern.StartsWith("*."u8))
            {
                var dot = host.IndexOf('.');
                if (dot > 0 && Ascii.EqualsIgnoreCase(pattern[1..], host[dot..]))
                {
                    return true;
                }
            }
            else if (Ascii.EqualsIgnoreCase(pattern, host))
            {
                return true;
            }
        }

        return false;
    }

    // MX-7: a host holding '*' never matches; an empty name or a lone root (null MX, MXR-2) is no candidate.
    private static bool IsCandidateHost(ReadOnlySpan<char> host) => !host.IsEmpty && !host.Contains('*') && host[0] != '.';
}
