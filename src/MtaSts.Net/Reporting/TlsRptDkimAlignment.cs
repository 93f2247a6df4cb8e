namespace MtaSts.Reporting;

/// <summary>
/// RFC 8460 §3 (RPT-17): report mail carries a DKIM signature of the reporting domain, the domain of
/// <c>contact-info</c> that the From header shows. A signature is aligned when its <c>d=</c> is that domain or one of
/// its parents (relaxed alignment, RFC 7489 §3.1.1, without the public suffix list: a single label never aligns).
/// </summary>
internal static class TlsRptDkimAlignment
{
    /// <summary>Whether a signature with <c>d=</c><paramref name="signingDomain"/> is aligned with <paramref name="address"/>.</summary>
    /// <param name="signingDomain">The DKIM signing domain.</param>
    /// <param name="address">The From (contact-info) address.</param>
    /// <returns><see langword="true"/> when aligned.</returns>
    public static bool IsAligned(string signingDomain, string address)
    {
        var at = address.LastIndexOf('@');
        if (at < 0 || string.IsNullOrEmpty(signingDomain))
        {
            return false;
        }

        var from = address[(at + 1)..].TrimEnd('.');
        var d = signingDomain.TrimEnd('.');
        if (!d.Contains('.', StringComparison.Ordinal))
        {
            return false;
        }

        return from.Equals(d, StringComparison.OrdinalIgnoreCase)
            || (from.Length > d.Length && from.EndsWith(d, StringComparison.OrdinalIgnoreCase) && from[from.Length - d.Length - 1] == '.');
    }
}
