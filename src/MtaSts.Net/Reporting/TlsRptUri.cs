using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using MtaSts.Internal;

namespace MtaSts.Reporting;

// Validation of one rua URI (RFC 8460 §3, RPT-6, RPT-8), done once when the _smtp._tls record is parsed so that a
// malformed URI never reaches a transport:
//   mailto: the rest, percent-decoded, must be a plain addr-spec: a dot-atom local part (RFC 5322 atext, so no quotes,
//           spaces, controls, CR or LF), '@', and a host name. No query ("?subject=", "?cc=": header fields) and no
//           fragment. That makes header injection through the report message impossible.
//   https:  an absolute URI with a host, no user info.
internal static class TlsRptUri
{
    private const int MaxLength = 2048;

    // RFC 5322 §3.2.3 atext; '.' only between atoms.
    private static readonly SearchValues<char> Atext = SearchValues.Create(
        "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789!#$%&'*+-/=?^_`{|}~");

    public static bool TryValidate(string text, [NotNullWhen(true)] out Uri? uri, [NotNullWhen(false)] out string? reason)
    {
        uri = null;
        if (text.Length > MaxLength)
        {
            reason = "longer than 2048 characters";
            return false;
        }

        if (text.StartsWith("mailto:", StringComparison.OrdinalIgnoreCase))
        {
            if (!TryGetMailbox(text, out _, out reason) || !Uri.TryCreate(text, UriKind.Absolute, out uri))
            {
                reason ??= "not a URI";
                uri = null;
                return false;
            }

            return true;
        }

        if (text.StartsWith("https:", StringComparison.OrdinalIgnoreCase))
        {
            if (!Uri.TryCreate(text, UriKind.Absolute, out uri) || uri.Scheme != Uri.UriSchemeHttps || string.IsNullOrEmpty(uri.Host)
                || uri.HostNameType == UriHostNameType.Unknown || uri.UserInfo.Length > 0)
            {
                uri = null;
                reason = "an https: rua must be an absolute URI with a host and no user info";
                return false;
            }

            reason = null;
            return true;
        }

        reason = "only mailto: and https: are supported (RPT-8)";
        return false;
    }

    /// <summary>The plain addr-spec of a <c>mailto:</c> URI, or why there is none.</summary>
    public static bool TryGetMailbox(string text, [NotNullWhen(true)] out string? address, [NotNullWhen(false)] out string? reason)
    {
        address = null;
        if (!text.StartsWith("mailto:", StringComparison.OrdinalIgnoreCase))
        {
            reason = "not a mailto: URI";
            return false;
        }

        var rest = text.AsSpan("mailto:".Length);
        if (rest.ContainsAny('?', '#'))
        {
            reason = "a mailto: rua may not carry header fields or a fragment";
            return false;
        }

        for (var i = 0; i < rest.Length; i++)
        {
            if (rest[i] == '%' && (i + 2 >= rest.Length || !char.IsAsciiHexDigit(rest[i + 1]) || !char.IsAsciiHexDigit(rest[i + 2])))
            {
                reason = "bad percent-encoding";
                return false;
            }
        }

        var decoded = Uri.UnescapeDataString(rest.ToString());

        var at = decoded.IndexOf('@', StringComparison.Ordinal);
        if (at <= 0 || at != decoded.LastIndexOf('@') || at > 64 || decoded.Length > 254)
        {
            reason = "a mailto: rua must hold exactly one address local@domain";
            return false;
        }

        if (!IsDotAtom(decoded.AsSpan(0, at)))
        {
            reason = "the local part must be a plain dot-atom (no quotes, spaces or control characters)";
            return false;
        }

        if (!DomainName.IsHostName(decoded.AsSpan(at + 1)))
        {
            reason = "the domain is not a host name";
            return false;
        }

        address = decoded;
        reason = null;
        return true;
    }

    private static bool IsDotAtom(ReadOnlySpan<char> local)
    {
        foreach (var range in local.Split('.'))
        {
            var atom = local[range];
            if (atom.IsEmpty || atom.ContainsAnyExcept(Atext))
            {
                return false;
            }
        }

        return true;
    }
}
