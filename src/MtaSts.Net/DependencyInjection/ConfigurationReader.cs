using System.Globalization;
using Microsoft.Extensions.Configuration;

namespace MtaSts.DependencyInjection;

/// <summary>
/// Reads one configuration section by hand: AOT-safe (no reflection binder), and every key it does not know, every value
/// it cannot read, becomes a problem naming the full key and the value instead of an exception or a silent default.
/// </summary>
internal sealed class ConfigurationReader
{
    private readonly IConfigurationSection _section;

    /// <summary>Starts reading <paramref name="section"/>, reporting at once every key that is not in <paramref name="keys"/>.</summary>
    /// <param name="section">The section, for example <c>MtaSts:Refresh</c>.</param>
    /// <param name="keys">The keys the section may hold, with what each is (a value, code only, another section).</param>
    public ConfigurationReader(IConfigurationSection section, SectionKeys keys)
    {
        _section = section;
        foreach (var child in section.GetChildren())
        {
            if (keys.CodeOnly.Contains(child.Key, StringComparer.OrdinalIgnoreCase))
            {
                Problems.Add($"{child.Path} can only be set in code (it is an object, not a value).");
            }
            else if (!keys.Values.Contains(child.Key, StringComparer.OrdinalIgnoreCase) && !keys.Sections.Contains(child.Key, StringComparer.OrdinalIgnoreCase))
            {
                Problems.Add($"{child.Path} is not a key of {section.Path} (known: {string.Join(", ", keys.Values.Concat(keys.Sections))}).");
            }
        }
    }

    /// <summary>Values that could not be read and unknown keys, each naming its full key.</summary>
    public List<string> Problems { get; } = [];

    public void Bool(string key, Action<bool> set) => Value(key, set, (string text, out bool v) => bool.TryParse(text, out v), "true or false");

    public void Int(string key, Action<int> set) =>
        Value(key, set, (string text, out int v) => int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out v), "a whole number");

    public void TimeSpan(string key, Action<TimeSpan> set) => Value(key, set, TryTimeSpan, "a time span (for example 00:01:00)");

    /// <summary>A time span that may be left empty (<see langword="null"/>).</summary>
    public void NullableTimeSpan(string key, Action<TimeSpan?> set) =>
        Value(key, set, (string text, out TimeSpan? v) =>
        {
            v = null;
            if (text.Length == 0)
            {
                return true;
            }

            var ok = TryTimeSpan(text, out var span);
            v = span;
            return ok;
        }, "a time span (for example 00:01:00) or empty");

    public void String(string key, Action<string> set)
    {
        if (Text(key) is { } text)
        {
            set(text);
        }
    }

    public void Enum<T>(string key, Action<T> set)
        where T : struct, System.Enum =>
        Value(key, set, (string text, out T v) => System.Enum.TryParse(text, ignoreCase: true, out v) && System.Enum.IsDefined(v), $"one of {string.Join(", ", System.Enum.GetNames<T>())}");

    /// <summary>A list (<c>Key:0</c>, <c>Key:1</c>…); each item that <paramref name="add"/> refuses is reported as not <paramref name="expected"/>.</summary>
    public void Each(string key, Func<string, bool> add, string expected)
    {
        foreach (var child in _section.GetSection(key).GetChildren())
        {
            if (child.Value is not { } text || !add(text))
            {
                Problems.Add($"{child.Path} '{child.Value}' is not {expected}.");
            }
        }
    }

    private delegate bool TryParse<T>(string text, out T value);

    private static bool TryTimeSpan(string text, out TimeSpan value) => System.TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out value);

    private void Value<T>(string key, Action<T> set, TryParse<T> parse, string expected)
    {
        if (Text(key) is not { } text)
        {
            return;
        }

        if (parse(text, out var value))
        {
            set(value);
        }
        else
        {
            Problems.Add($"{_section.Path}:{key} '{text}' is not {expected}.");
        }
    }

    // The value of a key, or null when it is absent; a key given as a section (children, no value) is a problem, not absent.
    private string? Text(string key)
    {
        var child = _section.GetSection(key);
        if (child.Value is { } text)
        {
            return text;
        }

        if (child.GetChildren().Any())
        {
            Problems.Add($"{child.Path} holds a section; a single value is expected.");
        }

        return null;
    }
}

/// <summary>The keys of one configuration section.</summary>
/// <param name="Values">Keys read as values.</param>
/// <param name="CodeOnly">Options that exist but cannot come from configuration (objects, delegates): reported as such.</param>
/// <param name="Sections">Sub-sections read by other binders.</param>
internal sealed record SectionKeys(string[] Values, string[] CodeOnly, string[] Sections)
{
    public SectionKeys(string[] values, params string[] codeOnly)
        : this(values, codeOnly, [])
    {
    }
}
