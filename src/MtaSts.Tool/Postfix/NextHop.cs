namespace MtaSts.Tool.Postfix;

/// <summary>
/// Reads the key of an <c>smtp_tls_policy_maps</c> lookup. Postfix asks with the next-hop destination verbatim: the
/// recipient domain, or a transport's next hop with its brackets and port (<c>[192.0.2.1]</c>, <c>[mx.example]:2525</c>,
/// <c>example.com:2525</c>), and, after a miss, the parent-domain form <c>.example.com</c>. Only a bare domain name
/// is an MTA-STS policy domain (RFC 8461 §4: the policy belongs to the recipient domain); every other key is answered
/// <c>NOTFOUND</c>, so Postfix's own settings apply.
/// </summary>
internal static class NextHop
{
    /// <summary>Whether <paramref name="key"/> (lower case) is a domain name whose MTA-STS policy can be looked up.</summary>
    /// <param name="key">The lookup key.</param>
    /// <returns><see langword="true"/> for a domain of at least two labels, each 1 to 63 characters of letters,
    /// digits, hyphens or underscores (U-labels pass, the library converts them), 253 characters at most.</returns>
    public static bool IsPolicyDomain(ReadOnlySpan<char> key)
    {
        if (key.EndsWith('.'))
        {
            key = key[..^1]; // an absolute name
        }

        if (key.IsEmpty || key.Length > 253 || key[0] == '.')
        {
            return false; // empty, too long, or the parent-domain form of a lookup
        }

        var labels = 0;
        var labelLength = 0;
        foreach (var c in key)
        {
            if (c == '.')
            {
                if (labelLength == 0)
                {
                    return false;
                }

                labels++;
                labelLength = 0;
                continue;
            }

            if (!(char.IsAsciiLetterOrDigit(c) || c is '-' or '_' || c > '\u007f') || ++labelLength > 63)
            {
                return false; // brackets, colons (a port), spaces, slashes, control characters
            }
        }

        return labelLength > 0 && labels >= 1;
    }
}
