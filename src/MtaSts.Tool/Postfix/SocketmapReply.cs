using System.Globalization;
using System.Text;

namespace MtaSts.Tool.Postfix;

/// <summary>
/// The reply to one lookup, as socketmap_table(5) defines them: <c>OK &lt;value&gt;</c>, <c>NOTFOUND </c> (with its
/// space), <c>TEMP &lt;reason&gt;</c> or <c>PERM &lt;reason&gt;</c>; and what the reply says for an MTA-STS state.
/// </summary>
internal static class SocketmapReply
{
    /// <summary>The reply when there is nothing to enforce: Postfix applies its own default level.</summary>
    public const string NotFound = "NOTFOUND ";

    /// <summary>The longest reason we send (Postfix logs it; the reply must stay well below its reply limit).</summary>
    private const int MaxReasonLength = 200;

    /// <summary>A temporary failure: Postfix defers the delivery and retries.</summary>
    public static string Temp(string reason) => "TEMP " + Clean(reason);

    /// <summary>A permanent lookup failure (a map name this daemon does not serve, a request it cannot read).</summary>
    public static string Perm(string reason) => "PERM " + Clean(reason);

    /// <summary>
    /// The reply for <paramref name="state"/> in <paramref name="zone"/>: <c>enforce</c> (and <c>testing</c> under
    /// strict testing) → <c>OK secure match=…</c>; <c>testing</c>, <c>none</c> and no policy → <c>NOTFOUND</c>; a
    /// discovery that fails closed (temporary DNS failure, nothing cached: FLOW-3) → <c>TEMP</c>.
    /// </summary>
    public static string For(MtaStsPolicyState state, PostfixZone zone)
    {
        if (state.IsFailClosed)
        {
            return Temp($"MTA-STS policy of {state.Domain} unknown: {state.DiscoveryFailure?.Detail ?? "discovery failed"}");
        }

        var policy = state.Policy;
        if (policy is null || policy.Mode == MtaStsMode.None || (policy.Mode == MtaStsMode.Testing && !zone.StrictTesting))
        {
            return NotFound;
        }

        var value = new StringBuilder("OK secure match=");
        AppendMatch(value, policy.Mx);
        if (zone.RequireSni)
        {
            value.Append(" servername=hostname");
        }

        if (zone.TlsRpt)
        {
            AppendTlsRpt(value, state.Domain, policy);
        }

        return value.ToString();
    }

    /// <summary>
    /// The policy's <c>mx</c> patterns as Postfix <c>match=</c> names, separated by colons: <c>*.example.com</c>
    /// becomes <c>.example.com</c> (MX-3). Postfix's leading dot matches subdomains at any depth, where an MTA-STS
    /// wildcard matches exactly one label: Postfix is the looser of the two, as with every socketmap daemon.
    /// </summary>
    private static void AppendMatch(StringBuilder value, IReadOnlyList<string> patterns)
    {
        for (var i = 0; i < patterns.Count; i++)
        {
            if (i > 0)
            {
                value.Append(':');
            }

            var pattern = patterns[i];
            value.Append(pattern.StartsWith("*.", StringComparison.Ordinal) ? pattern.AsSpan(1) : pattern);
        }
    }

    /// <summary>The TLSRPT attributes of Postfix 3.10 (TLSRPT_README, "MTA-STS Support via smtp_tls_policy_maps").</summary>
    private static void AppendTlsRpt(StringBuilder value, string domain, MtaStsPolicy policy)
    {
        value.Append(" policy_type=sts policy_domain=").Append(domain)
            .Append(" policy_ttl=").Append(((long)policy.MaxAge.TotalSeconds).ToString(CultureInfo.InvariantCulture));
        foreach (var pattern in policy.Mx)
        {
            value.Append(" mx_host_pattern=").Append(pattern);
        }

        foreach (var line in policy.Text.Split('\n'))
        {
            var text = line.TrimEnd('\r');
            if (text.Length > 0)
            {
                value.Append(" { policy_string = ").Append(Clean(text)).Append(" }");
            }
        }
    }

    // A reason or policy line is written as one line of printable ASCII without braces, bounded in length.
    private static string Clean(string text)
    {
        var builder = new StringBuilder(Math.Min(text.Length, MaxReasonLength));
        foreach (var c in text)
        {
            if (builder.Length == MaxReasonLength)
            {
                break;
            }

            builder.Append(c is >= ' ' and <= '~' and not '{' and not '}' ? c : '?');
        }

        return builder.ToString();
    }
}
