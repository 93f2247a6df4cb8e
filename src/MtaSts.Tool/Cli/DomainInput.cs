using System.Globalization;
using System.Net;

namespace MtaSts.Tool.Cli;

/// <summary>Normalises a domain given on the command line: lower case, no root dot, A-labels (TXT-1, DISC-5).</summary>
internal static class DomainInput
{
    private static readonly IdnMapping Idn = new() { UseStd3AsciiRules = true };

    public static bool TryNormalize(string? text, out string domain, out string? error)
    {
        domain = string.Empty;
        var trimmed = (text ?? string.Empty).Trim();
        if (trimmed.EndsWith('.'))
        {
            trimmed = trimmed[..^1];
        }

        if (trimmed.Length == 0)
        {
            error = "the domain is empty";
            return false;
        }

        if (trimmed.StartsWith('[') || IPAddress.TryParse(trimmed, out _))
        {
            error = $"'{text}' is an address literal, which has no MTA-STS policy (RFC 8461 §3.4, DISC-4)";
            return false;
        }

        string ascii;
        try
        {
            ascii = Idn.GetAscii(trimmed).ToLowerInvariant();
        }
        catch (ArgumentException)
        {
            error = $"'{text}' is not a domain name";
            return false;
        }

        // Letters, digits and hyphens, at least two labels, none over 63 octets, the name within 253 (RFC 1035 §2.3.4).
        var labels = ascii.Split('.');
        if (ascii.Length > 253 || labels.Length < 2 || labels.Any(l => l.Length is 0 or > 63 || l[0] == '-' || l[^1] == '-'
            || l.Any(c => !char.IsAsciiLetterOrDigit(c) && c != '-')))
        {
            error = $"'{text}' is not a domain name";
            return false;
        }

        domain = ascii;
        error = null;
        return true;
    }
}
