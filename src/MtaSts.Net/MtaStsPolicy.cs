using MtaSts.Matching;
using MtaSts.Parsing;

namespace MtaSts;

/// <summary>An MTA-STS policy, as served at <c>https://mta-sts.&lt;domain&gt;/.well-known/mta-sts.txt</c>.</summary>
/// <seealso href="https://www.rfc-editor.org/rfc/rfc8461#section-3.2">RFC 8461 §3.2</seealso>
public sealed class MtaStsPolicy
{
    private MtaStsPolicy(string text, ParsedPolicy parsed)
    {
        Text = text;
        Mode = parsed.Mode;
        Mx = parsed.Mx.AsReadOnly();
        MaxAge = TimeSpan.FromSeconds(parsed.MaxAgeSeconds);
        Leniencies = (IReadOnlyList<string>?)parsed.Leniencies?.AsReadOnly() ?? [];
    }

    /// <summary>The policy version; always <c>STSv1</c>.</summary>
    public string Version { get; } = "STSv1";

    /// <summary>The policy mode.</summary>
    public MtaStsMode Mode { get; }

    /// <summary>The <c>mx</c> patterns, in file order (duplicates kept; they are harmless, POL-14).</summary>
    public IReadOnlyList<string> Mx { get; }

    /// <summary>How long the policy may be cached, counted from the fetch (CACHE-1). At most 31557600 seconds.</summary>
    public TimeSpan MaxAge { get; }

    /// <summary>The policy text exactly as fetched (TLS-RPT's <c>policy-string</c> is built from it).</summary>
    public string Text { get; }

    /// <summary>The deviations from the RFC grammar accepted in <see cref="MtaStsParsingMode.Lenient"/> mode; empty when strict.</summary>
    public IReadOnlyList<string> Leniencies { get; }

    /// <summary>Parses a policy with the strict RFC grammar.</summary>
    /// <param name="text">The policy body, decoded as UTF-8.</param>
    /// <param name="policy">The policy, when valid.</param>
    /// <param name="error">Why the policy is invalid, when it is.</param>
    /// <returns><see langword="true"/> when the policy is valid.</returns>
    public static bool TryParse(string text, out MtaStsPolicy? policy, out string? error) =>
        TryParse(text, MtaStsParsingMode.Strict, out policy, out error);

    /// <summary>Parses a policy.</summary>
    /// <param name="text">The policy body, decoded as UTF-8.</param>
    /// <param name="mode">Strict RFC grammar, or lenient.</param>
    /// <param name="policy">The policy, when valid.</param>
    /// <param name="error">Why the policy is invalid, when it is.</param>
    /// <returns><see langword="true"/> when the policy is valid.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="text"/> is null.</exception>
    public static bool TryParse(string text, MtaStsParsingMode mode, out MtaStsPolicy? policy, out string? error)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (PolicyParser.TryParse(text, mode, out var parsed, out error))
        {
            policy = new MtaStsPolicy(text, parsed);
            return true;
        }

        policy = null;
        return false;
    }

    /// <summary>
    /// Whether <paramref name="mxHost"/> matches one of the <see cref="Mx"/> patterns (RFC 8461 §4.1): case-insensitive,
    /// <c>*.</c> matching exactly one left-most label, a trailing root dot on the host tolerated, U-labels compared as A-labels.
    /// </summary>
    /// <param name="mxHost">The MX host name as published in the MX record (MX-4).</param>
    /// <returns><see langword="true"/> when a pattern matches.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="mxHost"/> is null.</exception>
    public bool Matches(string mxHost)
    {
        ArgumentNullException.ThrowIfNull(mxHost);
        return MxMatcher.Matches(Mx, mxHost);
    }

    /// <inheritdoc/>
    public override string ToString() => $"{Mode.ToString().ToLowerInvariant()} mx=[{string.Join(", ", Mx)}] max_age={(long)MaxAge.TotalSeconds}";
}
