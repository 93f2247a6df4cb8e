using System.Globalization;
using System.Net;

namespace MtaSts.Internal;

/// <summary>Normalises domain and host names: no root dot, lower case, A-labels (TXT-1, DISC-4, DISC-5, CACHE-10).</summary>
internal static class DomainName
{
    private static readonly IdnMapping Idn = new() { UseStd3AsciiRules = false, AllowUnassigned = false };

    /// <summary>Normalises a policy domain. Fails for address literals (DISC-4) and for names that are not domains.</summary>
    public static bool TryNormalize(string? input, out string normalized, out string? error)
    {
        normalized = string.Empty;
        var span = input.AsSpan().Trim();
        if (span.IsEmpty)
        {
            error = "the domain is empty";
            return false;
        }

        if (span[0] == '[' || IPAddress.TryParse(span, out _))
        {
            error = "an address literal has no policy domain (RFC 8461 §3.4)";
            return false;
        }

        if (span[^1] == '.')
        {
            span = span[..^1];
        }

        string ascii;
        if (IsAscii(span))
        {
            ascii = span.ToString().ToLowerInvariant();
        }
        else
        {
            try
            {
                ascii = Idn.GetAscii(span.ToString()).ToLowerInvariant();
            }
            catch (ArgumentException)
            {
                error = "the domain is not a valid internationalised name";
                return false;
            }
        }

        if (!IsHostName(ascii))
        {
            error = "the domain is not a valid host name";
            return false;
        }

        normalized = ascii;
        error = null;
        return true;
    }

    /// <summary>
    /// Normalises a host for matching without allocating when it is already ASCII: drops one root dot (MX-5, CERT-10)
    /// and converts U-labels to A-labels (MX-6, CERT-9). Case is left to the comparison.
    /// </summary>
    public static ReadOnlySpan<char> ForMatching(string host)
    {
        var span = host.AsSpan();
        if (span.Length > 0 && span[^1] == '.')
        {
            span = span[..^1];
        }

        if (IsAscii(span))
        {
            return span;
        }

        try
        {
            return Idn.GetAscii(span.ToString());
        }
        catch (ArgumentException)
        {
            return ReadOnlySpan<char>.Empty;
        }
    }

    /// <summary>RFC 5321 §4.1.2 <c>Domain</c>: labels of letters, digits and inner hyphens, 1-63 characters, 253 in all.</summary>
    public static bool IsHostName(ReadOnlySpan<char> name)
    {
        if (name.IsEmpty || name.Length > 253)
        {
            return false;
        }

        foreach (var range in name.Split('.'))
        {
            if (!IsLabel(name[range]))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary><c>sub-domain = Let-dig [Ldh-str]</c>, at most 63 characters.</summary>
    public static bool IsLabel(ReadOnlySpan<char> label)
    {
        if (label.IsEmpty || label.Length > 63 || !char.IsAsciiLetterOrDigit(label[0]) || !char.IsAsciiLetterOrDigit(label[^1]))
        {
            return false;
        }

        foreach (var c in label)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c != '-')
            {
                return false;
            }
        }

        return true;
    }

    public static bool IsAscii(ReadOnlySpan<char> span) => !span.ContainsAnyExceptInRange((char)0, (char)0x7F);
}
