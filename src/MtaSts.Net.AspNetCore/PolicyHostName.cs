using System.Globalization;

namespace MtaSts.AspNetCore;

/// <summary>From a request's host to its policy domain: <c>mta-sts.&lt;domain&gt;</c> only (FETCH-1), A-labels, lower case.</summary>
internal static class PolicyHostName
{
    private const string Prefix = "mta-sts.";
    private static readonly IdnMapping Idn = new();

    /// <summary>The policy domain of a host, or <see langword="null"/> for a host that is not <c>mta-sts.&lt;domain&gt;</c>.</summary>
    public static string? PolicyDomain(string host)
    {
        var name = NormalizeDomain(host);
        return name is not null && name.StartsWith(Prefix, StringComparison.Ordinal) && name.Length > Prefix.Length ? name[Prefix.Length..] : null;
    }

    public static string? NormalizeDomain(string name)
    {
        var trimmed = name.Trim().TrimEnd('.');
        if (trimmed.Length is 0 or > 253)
        {
            return null;
        }

        try
        {
            var ascii = Idn.GetAscii(trimmed).ToLowerInvariant(); // HostString decodes to U-labels; policies are keyed by A-labels
            return ascii.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '.') ? ascii : null;
        }
        catch (ArgumentException)
        {
            return null;
        }
    }
}
