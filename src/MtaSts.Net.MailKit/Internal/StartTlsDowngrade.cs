namespace MtaSts.MailKit.Internal;

/// <summary>
/// Looks at an EHLO reply that lacks STARTTLS for the mark of an on-path attacker: a keyword of the same length that no
/// SMTP extension uses (the classic rewrite is <c>XXXXXXXA</c>), or one a few bytes away from <c>STARTTLS</c>.
/// Pure; feed it the reply lines as received.
/// </summary>
internal static class StartTlsDowngrade
{
    private const string StartTls = "STARTTLS";

    // Registered ESMTP keywords of eight characters, which must not be taken for a rewritten STARTTLS.
    private static readonly HashSet<string> KnownEightLetterKeywords = new(StringComparer.OrdinalIgnoreCase)
    {
        "8BITMIME", "CHUNKING", "SMTPUTF8", "UTF8SMTP", "XFORWARD",
    };

    /// <summary>Inspects the lines of an EHLO reply (with or without their <c>250-</c> prefix).</summary>
    /// <param name="ehloReplyLines">The reply lines; the first is the server's greeting and is skipped.</param>
    /// <returns>Evidence that STARTTLS was likely stripped on path, or <see langword="null"/>.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="ehloReplyLines"/> is null.</exception>
    public static string? Inspect(IEnumerable<string> ehloReplyLines)
    {
        ArgumentNullException.ThrowIfNull(ehloReplyLines);
        var first = true;
        foreach (var line in ehloReplyLines)
        {
            var text = line.AsSpan().Trim();
            if (text.Length >= 4 && char.IsAsciiDigit(text[0]) && char.IsAsciiDigit(text[1]) && char.IsAsciiDigit(text[2]) && text[3] is '-' or ' ')
            {
                text = text[4..];
            }

            if (first)
            {
                first = false;
                continue;
            }

            var space = text.IndexOf(' ');
            var keyword = (space < 0 ? text : text[..space]).ToString();
            if (keyword.Equals(StartTls, StringComparison.OrdinalIgnoreCase))
            {
                return null; // STARTTLS is there after all
            }

            var distance = Distance(keyword.ToUpperInvariant(), StartTls);
            if (distance is > 0 and <= 2)
            {
                return $"EHLO keyword '{keyword}' is {distance} byte(s) away from STARTTLS: STARTTLS likely stripped on path";
            }

            if (keyword.Length == StartTls.Length && IsAlphanumeric(keyword) && !KnownEightLetterKeywords.Contains(keyword))
            {
                return $"EHLO keyword '{keyword}' is an unknown 8-character keyword where STARTTLS would be: STARTTLS likely stripped on path";
            }
        }

        return null;
    }

    private static bool IsAlphanumeric(string keyword)
    {
        foreach (var c in keyword)
        {
            if (!char.IsAsciiLetterOrDigit(c))
            {
                return false;
            }
        }

        return true;
    }

    // Levenshtein distance, bounded by the short strings of an EHLO keyword.
    private static int Distance(string a, string b)
    {
        if (Math.Abs(a.Length - b.Length) > 2 || a.Length > 64)
        {
            return int.MaxValue;
        }

        Span<int> previous = stackalloc int[b.Length + 1];
        Span<int> current = stackalloc int[b.Length + 1];
        for (var j = 0; j <= b.Length; j++)
        {
            previous[j] = j;
        }

        for (var i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                var cost = a[i - 1] == b[j - 1] ? 0 : 1;
                current[j] = Math.Min(Math.Min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + cost);
            }

            current.CopyTo(previous);
        }

        return previous[b.Length];
    }
}
