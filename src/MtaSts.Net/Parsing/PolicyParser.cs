using System.Globalization;
using MtaSts.Internal;

namespace MtaSts.Parsing;

// The policy file, RFC 8461 §3.2, in our own words:
//   policy   = field *WSP *(terminator field *WSP) [terminator]   terminator = LF / CRLF (POL-7, POL-8)
//   field    = name ":" *WSP value                                no space before ':' or at line start (POL-5)
//   known    = "version: STSv1" / "mode: " ("testing" / "enforce" / "none") / "max_age: " 1*10DIGIT
//            / "mx: " ["*."] Domain                               names and values case-sensitive (POL-2..4)
//   extension name  = alphanum *31(alphanum / "_" / "-" / ".")   unknown fields are ignored (POL-16)
//   extension value = printable ASCII or UTF-8, inner spaces allowed, no CTLs (POL-16, POL-19)
// version, mode and max_age are required; mx at least once unless mode is none (POL-1). The first of a duplicated
// field wins, except mx (POL-17). No blank lines, comments or BOM (POL-9). max_age <= 31557600 (POL-11).
// Tolerant mode (the enforcer's default) accepts, and lists, only deviations whose meaning is plain: blank lines and a
// byte-order mark (POL-9), a trailing dot on an mx (POL-13), an empty extension value (POL-16). Lenient adds comments,
// whitespace at the start of a line or before ':' (POL-5) and a clamped max_age; Strict accepts none.

/// <summary>Parses an MTA-STS policy file.</summary>
internal static class PolicyParser
{
    private const int MaxNameLength = 32;

    public static bool TryParse(string text, MtaStsParsingMode mode, out ParsedPolicy policy, out string? error)
    {
        policy = default;
        var lenient = mode == MtaStsParsingMode.Lenient;
        var tolerant = lenient || mode == MtaStsParsingMode.Tolerant;
        List<string>? leniencies = null;
        var s = text.AsSpan();

        if (s.Length > 0 && s[0] == '\uFEFF')
        {
            if (!tolerant)
            {
                return Fail("the policy starts with a byte-order mark (POL-9)", out error);
            }

            s = s[1..];
            Note(ref leniencies, "byte-order mark");
        }

        var text0 = text.AsSpan();
        var hasVersion = false;
        MtaStsMode? policyMode = null;
        long? maxAge = null;
        List<Range>? mx = null;
        var lineNumber = 0;

        while (!s.IsEmpty)
        {
            lineNumber++;
            var newline = s.IndexOf('\n');
            var line = newline < 0 ? s : s[..newline];
            s = newline < 0 ? ReadOnlySpan<char>.Empty : s[(newline + 1)..];
            if (newline >= 0 && line.Length > 0 && line[^1] == '\r')
            {
                line = line[..^1]; // CRLF; a CR not followed by LF is no terminator (POL-7) and fails as a control character
            }

            if (tolerant)
            {
                var trimmed = line.Trim(" \t");
                if (trimmed.IsEmpty || (lenient && trimmed[0] == '#'))
                {
                    Note(ref leniencies, trimmed.IsEmpty ? $"blank line {lineNumber}" : $"comment on line {lineNumber}");
                    continue;
                }
            }

            if (!TryLine(line, lineNumber, lenient, tolerant, ref leniencies, out var name, out var value, out error))
            {
                return false;
            }

            if (name.SequenceEqual("version") && !hasVersion)
            {
                if (!value.SequenceEqual("STSv1"))
                {
                    return Fail($"line {lineNumber}: version must be STSv1, found '{Printable(value)}' (POL-2)", out error);
                }

                hasVersion = true;
            }
            else if (name.SequenceEqual("mode") && policyMode is null)
            {
                policyMode = value switch
                {
                    "enforce" => MtaStsMode.Enforce,
                    "testing" => MtaStsMode.Testing,
                    "none" => MtaStsMode.None,
                    _ => null,
                };
                if (policyMode is null)
                {
                    return Fail($"line {lineNumber}: mode must be enforce, testing or none, found '{Printable(value)}' (POL-3)", out error);
                }
            }
            else if (name.SequenceEqual("max_age") && maxAge is null)
            {
                if (!TryMaxAge(value, lenient, ref leniencies, out var seconds, out error))
                {
                    error = $"line {lineNumber}: {error}";
                    return false;
                }

                maxAge = seconds;
            }
            else if (name.SequenceEqual("mx"))
            {
                if (!TryMx(value, tolerant, ref leniencies, out var pattern, out error))
                {
                    error = $"line {lineNumber}: {error}";
                    return false;
                }

                text0.Overlaps(pattern, out var start);
                (mx ??= new List<Range>(4)).Add(new Range(start, start + pattern.Length));
            }

            // Anything else: POL-16 unknown fields and POL-17 later duplicates are ignored.
        }

        if (!hasVersion)
        {
            return Fail("the policy has no version field (POL-1)", out error);
        }

        if (policyMode is null)
        {
            return Fail("the policy has no mode field (POL-1)", out error);
        }

        if (maxAge is null)
        {
            return Fail("the policy has no max_age field (POL-1)", out error);
        }

        if (mx is null && policyMode != MtaStsMode.None)
        {
            return Fail($"mode {policyMode.Value.ToString().ToLowerInvariant()} needs at least one mx field (POL-1)", out error);
        }

        policy = new ParsedPolicy(policyMode.Value, mx is null ? [] : [.. mx], maxAge.Value, leniencies);
        error = null;
        return true;
    }

    private static bool TryLine(ReadOnlySpan<char> line, int lineNumber, bool lenient, bool tolerant, ref List<string>? leniencies,
        out ReadOnlySpan<char> name, out ReadOnlySpan<char> value, out string? error)
    {
        name = value = default;
        if (line.IsEmpty)
        {
            return Fail($"line {lineNumber} is empty (POL-9)", out error);
        }

        if (lenient && RecordParser.IsWsp(line[0]))
        {
            line = line.TrimStart(" \t");
            Note(ref leniencies, $"leading whitespace on line {lineNumber}");
        }

        var colon = line.IndexOf(':');
        if (colon < 0)
        {
            return Fail($"line {lineNumber} has no ':' (POL-5)", out error);
        }

        var rawName = line[..colon];
        if (lenient && rawName.Length > 0 && RecordParser.IsWsp(rawName[^1]))
        {
            rawName = rawName.TrimEnd(" \t");
            Note(ref leniencies, $"whitespace before ':' on line {lineNumber}");
        }

        if (!IsFieldName(rawName))
        {
            return Fail($"line {lineNumber}: '{Printable(rawName)}' is not a field name (POL-5, POL-16)", out error);
        }

        var rawValue = line[(colon + 1)..].Trim(" \t"); // *WSP after ':' and after the value (POL-5, POL-6)
        if (rawValue.IsEmpty)
        {
            if (!tolerant)
            {
                return Fail($"line {lineNumber}: the field '{rawName}' has an empty value (POL-16)", out error);
            }

            Note(ref leniencies, $"empty value on line {lineNumber}");
        }

        foreach (var c in rawValue)
        {
            if (char.IsControl(c) || c == '\uFEFF')
            {
                return Fail($"line {lineNumber}: the value of '{rawName}' holds a control character (POL-19)", out error);
            }
        }

        name = rawName;
        value = rawValue;
        error = null;
        return true;
    }

    private static bool TryMaxAge(ReadOnlySpan<char> value, bool lenient, ref List<string>? leniencies, out long seconds, out string? error)
    {
        seconds = 0;
        if (value.Length is 0 or > 10 || value.ContainsAnyExceptInRange('0', '9'))
        {
            return Fail($"max_age must be 1 to 10 digits, found '{Printable(value)}' (POL-11)", out error);
        }

        seconds = long.Parse(value, NumberStyles.None, CultureInfo.InvariantCulture);
        if (seconds > MtaStsConstants.MaxAgeLimitSeconds)
        {
            if (!lenient)
            {
                return Fail($"max_age {seconds} exceeds {MtaStsConstants.MaxAgeLimitSeconds} (POL-11)", out error);
            }

            Note(ref leniencies, $"max_age {seconds} clamped to {MtaStsConstants.MaxAgeLimitSeconds}");
            seconds = MtaStsConstants.MaxAgeLimitSeconds;
        }

        error = null;
        return true;
    }

    private static bool TryMx(ReadOnlySpan<char> value, bool tolerant, ref List<string>? leniencies, out ReadOnlySpan<char> pattern, out string? error)
    {
        pattern = value;
        if (tolerant && value.Length > 1 && value[^1] == '.' && value[^2] != '.')
        {
            pattern = value[..^1];
            Note(ref leniencies, $"trailing dot on mx '{value}'");
        }

        var domain = pattern.StartsWith("*.") ? pattern[2..] : pattern;
        if (!DomainName.IsHostName(domain))
        {
            return Fail($"mx '{Printable(value)}' is not [*.]domain in A-labels (POL-13, POL-15)", out error);
        }

        error = null;
        return true;
    }

    private static bool IsFieldName(ReadOnlySpan<char> name)
    {
        if (name.IsEmpty || name.Length > MaxNameLength || !char.IsAsciiLetterOrDigit(name[0]))
        {
            return false;
        }

        foreach (var c in name)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c is not ('_' or '-' or '.'))
            {
                return false;
            }
        }

        return true;
    }

    private static string Printable(ReadOnlySpan<char> s) => s.Length <= 64 ? s.ToString() : string.Concat(s[..64], "…");

    private static void Note(ref List<string>? leniencies, string what) => (leniencies ??= []).Add(what);

    private static bool Fail(string message, out string? error)
    {
        error = message;
        return false;
    }
}

/// <summary>The fields of a parsed policy, before it becomes a public <see cref="MtaStsPolicy"/>; <c>Mx</c> are ranges of the text.</summary>
internal readonly record struct ParsedPolicy(MtaStsMode Mode, Range[] Mx, long MaxAgeSeconds, List<string>? Leniencies);
