using Microsoft.Extensions.Configuration;

namespace MtaSts.DependencyInjection;

/// <summary>
/// Validates <see cref="MtaStsOptions"/> at start-up: the <c>MtaSts</c> section, every option and the rules between
/// them, and sub-sections (<c>MtaSts:TlsRpt</c>…) whose registration is missing, so their values are not silently ignored.
/// </summary>
internal sealed class MtaStsOptionsValidator(IEnumerable<MtaStsSectionUse> uses, MtaStsConfiguration? configuration = null)
    : SectionValidator<MtaStsOptions, MtaStsConfigurationBinder>(configuration)
{
    protected override void Check(MtaStsOptions options, OptionsRules rules)
    {
        options.Check(rules);
        if (Configuration is not { } configuration)
        {
            return;
        }

        foreach (var (key, call) in MtaStsConfigurationBinder.Sections)
        {
            var section = configuration.Section.GetSection(key);
            if (section.Value is { } value)
            {
                rules.Fail($"{section.Path} '{value}' is a value; a section of options is expected.");
            }
            else if (section.Exists() && !uses.Any(u => string.Equals(u.Key, key, StringComparison.OrdinalIgnoreCase)))
            {
                rules.Fail($"{section.Path} is configured but {call} is not called: its values would be ignored.");
            }
        }
    }
}
