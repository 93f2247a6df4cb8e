using Microsoft.Extensions.Options;

namespace MtaSts.DependencyInjection;

/// <summary>Validates <see cref="MtaStsOptions"/> at start-up: every option, and the rules between them; each message names the option and its value.</summary>
internal sealed class MtaStsOptionsValidator : IValidateOptions<MtaStsOptions>
{
    public ValidateOptionsResult Validate(string? name, MtaStsOptions options)
    {
        var problems = options.Problems();
        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems.Select(p => $"MtaSts: {p}"));
    }
}
