namespace MtaSts.Parsing;

// The _mta-sts TXT record, RFC 8461 §3.1, in our own words:
//   record    = "v=STSv1" 1*(delimiter field) [delimiter]        version first, case-sensitive (TXT-2)
//   delimiter = *WSP ";" *WSP                                     spaces and tabs around ';' (TXT-8)
//   field     = "id=" 1*32(ALPHA / DIGIT)                         the version id (TXT-7)
//             / name "=" value                                    extensions, ignored (TXT-10)
//   name      = (ALPHA / DIGIT) *31(ALPHA / DIGIT / "_" / "-" / ".")
//   value     = 1*(%x21-3A / %x3C / %x3E-7E)                     printable ASCII but '=' and ';'
// US-ASCII only (TXT-11); the first of duplicated fields wins (TXT-12). An `id=` whose value is not 1-32
// letters or digits is grammatically an extension named "id", so the record then lacks its id.

/// <summary>Parses one <c>_mta-sts</c> TXT record (its character-strings already joined, TXT-5).</summary>
internal static class RecordParser
{
    public const string Version = "v=STSv1";
    public const int MaxIdLength = 32;
    private const int MaxNameLength = 32;
    private const int LenientMaxIdLength = 64;

    public static bool TryParse(string text, MtaStsParsingMode mode, out string? id, out List<string>? leniencies, out string? error)
    {
        id = null;
        leniencies = null;
        var lenient = mode == MtaStsParsingMode.Lenient;
        var s = text.AsSpan();

        foreach (var c in s)
        {
            if (c > 0x7E || (c < 0x20 && c != '\t'))
            {
                return Fail("the record holds a control or non-ASCII character (TXT-11)", out error);
            }
        }

        if (lenient && s.Length > 0 && IsWsp(s[0]))
        {
            s = s.TrimStart(" \t");
            Note(ref leniencies, "leading whitespace before v=STSv1");
        }

        if (!s.StartsWith(Version, StringComparison.Ordinal))
        {
            return Fail("the record does not begin with v=STSv1 (TXT-2)", out error);
        }

        var pos = Version.Length;
        var fields = 0;
        while (pos < s.Length)
        {
            // delimiter = *WSP ";" *WSP
            var start = pos;
            pos = SkipWsp(s, pos);
            if (pos == s.Length)
            {
                if (!lenient)
                {
                    return Fail("whitespace after the last field without a ';' (TXT-8)", out error);
                }

                Note(ref leniencies, "trailing whitespace");
                break;
            }

            if (s[pos] != ';')
            {
                return Fail(start == Version.Length && pos == start
                    ? "v=STSv1 must be followed by a ';' delimiter (TXT-2)"
                    : $"expected ';' at offset {pos} (TXT-8)", out error);
            }

            pos = SkipWsp(s, pos + 1);
            if (pos == s.Length)
            {
                break; // one trailing delimiter is allowed
            }

            if (s[pos] == ';')
            {
                if (!lenient)
                {
                    return Fail("empty field between two ';' (TXT-8)", out error);
                }

                Note(ref leniencies, "empty field between two ';'");
                continue;
            }

            if (!TryField(s, ref pos, lenient, ref id, ref leniencies, out error))
            {
                return false;
            }

            fields++;
        }

        if (fields == 0 || id is null)
        {
            return Fail("the record has no valid id=<1-32 letters or digits> field (TXT-7)", out error);
        }

        error = null;
        return true;
    }

    private static bool TryField(ReadOnlySpan<char> s, ref int pos, bool lenient, ref string? id, ref List<string>? leniencies, out string? error)
    {
        var nameStart = pos;
        if (!char.IsAsciiLetterOrDigit(s[pos]))
        {
            return Fail($"a field name must start with a letter or digit, found '{s[pos]}' (TXT-10)", out error);
        }

        while (pos < s.Length && IsNameChar(s[pos]))
        {
            pos++;
        }

        var name = s[nameStart..pos];
        if (name.Length > MaxNameLength)
        {
            return Fail($"the field name '{name}' is longer than {MaxNameLength} characters (TXT-10)", out error);
        }

        if (pos == s.Length || s[pos] != '=')
        {
            return Fail($"the field '{name}' has no '=' directly after its name (TXT-8)", out error);
        }

        var valueStart = ++pos;
        while (pos < s.Length && IsValueChar(s[pos]))
        {
            pos++;
        }

        var value = s[valueStart..pos];
        if (pos < s.Length && s[pos] == '=')
        {
            return Fail($"the value of '{name}' contains '=' (TXT-10)", out error);
        }

        if (value.IsEmpty)
        {
            return Fail($"the field '{name}' has an empty value (TXT-10)", out error);
        }

        if (pos < s.Length && !IsWsp(s[pos]) && s[pos] != ';')
        {
            return Fail($"unexpected character after the field '{name}' (TXT-8)", out error);
        }

        if (name.SequenceEqual("id") && id is null)
        {
            if (IsStrictId(value))
            {
                id = value.ToString();
            }
            else if (lenient && IsLenientId(value))
            {
                id = value.ToString();
                Note(ref leniencies, $"id '{id}' is not 1-32 letters or digits");
            }
        }

        error = null;
        return true;
    }

    private static bool IsStrictId(ReadOnlySpan<char> value) =>
        value.Length is > 0 and <= MaxIdLength && !value.ContainsAnyExceptInRange('0', 'z') && AllAlphaNum(value);

    private static bool IsLenientId(ReadOnlySpan<char> value)
    {
        if (value.Length > LenientMaxIdLength)
        {
            return false;
        }

        foreach (var c in value)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c is not ('-' or '+' or '_' or '.'))
            {
                return false;
            }
        }

        return true;
    }

    private static bool AllAlphaNum(ReadOnlySpan<char> value)
    {
        foreach (var c in value)
        {
            if (!char.IsAsciiLetterOrDigit(c))
            {
                return false;
            }
        }

        return true;
    }

    private static bool IsNameChar(char c) => char.IsAsciiLetterOrDigit(c) || c is '_' or '-' or '.';

    private static bool IsValueChar(char c) => c is >= '!' and <= '~' && c is not (';' or '=');

    internal static bool IsWsp(char c) => c is ' ' or '\t';

    private static int SkipWsp(ReadOnlySpan<char> s, int pos)
    {
        while (pos < s.Length && IsWsp(s[pos]))
        {
            pos++;
        }

        return pos;
    }

    private static void Note(ref List<string>? leniencies, string what) => (leniencies ??= []).Add(what);

    private static bool Fail(string message, out string? error)
    {
        error = message;
        return false;
    }
}
