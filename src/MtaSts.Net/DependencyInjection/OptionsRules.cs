using System.Globalization;

namespace MtaSts.DependencyInjection;

/// <summary>
/// Collects broken option rules, each message naming the full configuration key (for example
/// <c>MtaSts:Refresh:CheckInterval</c>) and the value: <c>"&lt;key&gt; must be …; it is &lt;value&gt;."</c>
/// </summary>
/// <param name="path">The section path the keys belong to; empty for bare option names (<see cref="MtaStsEnforcer.Create"/>).</param>
internal sealed class OptionsRules(string path)
{
    private readonly string _prefix = path.Length == 0 ? string.Empty : path + ":";

    public List<string> Problems { get; } = [];

    /// <summary>The full key of an option, as configuration spells it.</summary>
    public string Key(string option) => _prefix + option;

    /// <summary>Adds a broken rule: <c>"&lt;key&gt; &lt;rule&gt;; it is &lt;value&gt;."</c></summary>
    public void Fail(string option, string rule, object? value) =>
        Problems.Add(string.Create(CultureInfo.InvariantCulture, $"{Key(option)} {rule}; it is {Show(value)}."));

    /// <summary>Adds a message of its own (a rule between options); it should name the keys.</summary>
    public void Fail(string message) => Problems.Add(message);

    public void Positive(string option, TimeSpan value)
    {
        if (value <= TimeSpan.Zero)
        {
            Fail(option, "must be positive", value);
        }
    }

    public void NotNegative(string option, TimeSpan value)
    {
        if (value < TimeSpan.Zero)
        {
            Fail(option, "must not be negative", value);
        }
    }

    /// <summary>Greater than zero and at most <paramref name="maximum"/>.</summary>
    public void Within(string option, TimeSpan value, TimeSpan maximum)
    {
        if (value <= TimeSpan.Zero || value > maximum)
        {
            Fail(option, string.Create(CultureInfo.InvariantCulture, $"must be greater than zero and at most {maximum}"), value);
        }
    }

    public void Between(string option, int value, int minimum, int maximum)
    {
        if (value < minimum || value > maximum)
        {
            Fail(option, string.Create(CultureInfo.InvariantCulture, $"must be between {minimum} and {maximum}"), value);
        }
    }

    public void AtLeastOne(string option, int value)
    {
        if (value < 1)
        {
            Fail(option, "must be at least 1", value);
        }
    }

    public void NotEmpty(string option, string? value)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            Fail(option, "must not be empty", value);
        }
    }

    private static string Show(object? value) => value switch
    {
        null => "not set",
        string text => $"'{text}'",
        IFormattable formattable => formattable.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? string.Empty,
    };
}
