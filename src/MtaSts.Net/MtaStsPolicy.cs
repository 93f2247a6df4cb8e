using System.Text;
using MtaSts.Matching;
using MtaSts.Parsing;

namespace MtaSts;

/// <summary>An MTA-STS policy, as served at <c>https://mta-sts.&lt;domain&gt;/.well-known/mta-sts.txt</c>.</summary>
/// <seealso href="https://www.rfc-editor.org/rfc/rfc8461#section-3.2">RFC 8461 §3.2</seealso>
public sealed class MtaStsPolicy
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    // A cached policy keeps its text once, as UTF-8 (100,000 cached domains are a memory budget); the mx patterns are
    // byte ranges of it and matching reads them in place. Text and Mx are materialised on use.
    private readonly byte[] _utf8;
    private readonly Range[] _mx;
    private string[]? _mxStrings;

    private MtaStsPolicy(string text, byte[] utf8, ParsedPolicy parsed)
    {
        _utf8 = utf8;
        Mode = parsed.Mode;
        _mx = ToByteRanges(text, parsed.Mx);
        MaxAge = TimeSpan.FromSeconds(parsed.MaxAgeSeconds);
        Leniencies = (IReadOnlyList<string>?)parsed.Leniencies?.AsReadOnly() ?? [];
    }

    /// <summary>The policy version; always <c>STSv1</c>.</summary>
#pragma warning disable CA1822 // part of the policy's shape, beside Mode and MaxAge
    public string Version => "STSv1";
#pragma warning restore CA1822

    /// <summary>The policy mode.</summary>
    public MtaStsMode Mode { get; }

    /// <summary>The <c>mx</c> patterns, in file order (duplicates kept; they are harmless, POL-14).</summary>
    public IReadOnlyList<string> Mx => _mxStrings ??= [.. _mx.Select(r => Encoding.ASCII.GetString(_utf8.AsSpan()[r]))];

    /// <summary>How long the policy may be cached, counted from the fetch (CACHE-1). At most 31557600 seconds.</summary>
    public TimeSpan MaxAge { get; }

    /// <summary>The policy text exactly as fetched (TLS-RPT's <c>policy-string</c> is built from it). Decoded on each use.</summary>
    public string Text => Encoding.UTF8.GetString(_utf8);

    /// <summary>The deviations from the RFC grammar accepted in <see cref="MtaStsParsingMode.Tolerant"/> or <see cref="MtaStsParsingMode.Lenient"/> mode; empty when strict.</summary>
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
    /// <param name="mode">Strict RFC grammar, tolerant of plain deviations, or lenient.</param>
    /// <param name="policy">The policy, when valid.</param>
    /// <param name="error">Why the policy is invalid, when it is.</param>
    /// <returns><see langword="true"/> when the policy is valid.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="text"/> is null.</exception>
    public static bool TryParse(string text, MtaStsParsingMode mode, out MtaStsPolicy? policy, out string? error)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (PolicyParser.TryParse(text, mode, out var parsed, out error))
        {
            byte[] utf8;
            try
            {
                utf8 = StrictUtf8.GetBytes(text);
            }
            catch (EncoderFallbackException)
            {
                policy = null;
                error = "the policy holds an unpaired UTF-16 surrogate, which is not Unicode text (FETCH-15)";
                return false;
            }

            policy = new MtaStsPolicy(text, utf8, parsed);
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
        return MxMatcher.Matches(_utf8, _mx, mxHost);
    }

    // mx values are ASCII, but text before them may not be: convert char ranges to byte ranges in one pass.
    private static Range[] ToByteRanges(string text, Range[] charRanges)
    {
        var ranges = new Range[charRanges.Length];
        int chars = 0, bytes = 0;
        for (var i = 0; i < charRanges.Length; i++)
        {
            var (start, length) = charRanges[i].GetOffsetAndLength(text.Length);
            bytes += Encoding.UTF8.GetByteCount(text.AsSpan(chars, start - chars));
            chars = start;
            ranges[i] = new Range(bytes, bytes + length);
        }

        return ranges;
    }

    /// <inheritdoc/>
    public override string ToString() => $"{Mode.ToString().ToLowerInvariant()} mx=[{string.Join(", ", Mx)}] max_age={(long)MaxAge.TotalSeconds}";
}
