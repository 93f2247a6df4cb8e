using System.Text.Json;
using MtaSts.Publishing;
using MtaSts.Tool.Cli;

namespace MtaSts.Tool.Generate;

/// <summary>
/// <c>mta-sts generate --mx &lt;pattern&gt;... --mode &lt;testing|enforce|none&gt; [--max-age &lt;s&gt;] [--domain &lt;d&gt;]</c>:
/// the policy body (CRLF lines) and the TXT record whose id is derived from it (<see cref="MtaStsPolicyDocument"/>,
/// the same function the ASP.NET Core policy server uses), so the id changes exactly when the policy does.
/// </summary>
internal static class GenerateCommand
{
    /// <summary>One week: the shortest max_age the audit does not warn about under enforce.</summary>
    public const long DefaultMaxAge = 604800;

    public static async Task<int> RunAsync(ToolArguments arguments, TextWriter output, TextWriter errors)
    {
        if (arguments.Operands.Count > 0)
        {
            return await ToolApp.UsageErrorAsync(errors, $"generate: unexpected argument: {arguments.Operands[0]}").ConfigureAwait(false);
        }

        MtaStsMode mode;
        switch (arguments.Mode)
        {
            case "testing": mode = MtaStsMode.Testing; break;
            case "enforce": mode = MtaStsMode.Enforce; break;
            case "none": mode = MtaStsMode.None; break;
            default:
                return await ToolApp.UsageErrorAsync(errors, arguments.Mode is null ? "generate: --mode is required (testing, enforce or none)" : $"generate: --mode must be testing, enforce or none, not '{arguments.Mode}' (POL-3)").ConfigureAwait(false);
        }

        if (mode != MtaStsMode.None && arguments.Mx.Count == 0)
        {
            return await ToolApp.UsageErrorAsync(errors, "generate: at least one --mx pattern is required (POL-1)").ConfigureAwait(false);
        }

        string? domain = null;
        if (arguments.Domain is not null && !DomainInput.TryNormalize(arguments.Domain, out domain, out var domainError))
        {
            return await ToolApp.UsageErrorAsync(errors, $"generate: --domain: {domainError}").ConfigureAwait(false);
        }

        if (!MtaStsPolicyDocument.TryCreate(mode, arguments.Mx, arguments.MaxAge ?? DefaultMaxAge, out var document, out var error))
        {
            return await ToolApp.UsageErrorAsync(errors, $"generate: {error}").ConfigureAwait(false);
        }

        var txtName = domain is null ? null : $"_mta-sts.{domain}";
        var url = domain is null ? null : $"https://mta-sts.{domain}/.well-known/mta-sts.txt";
        if (arguments.Json)
        {
            var json = new GenerateJson(document!.Body, document.Id, document.TxtRecord, txtName, url);
            await output.WriteLineAsync(JsonSerializer.Serialize(json, ToolJsonContext.Default.GenerateJson)).ConfigureAwait(false);
            return ExitCodes.Ok;
        }

        // stdout is the policy file and nothing else (`mta-sts generate ... > mta-sts.txt` gives a valid policy); where to
        // serve it and the TXT record to publish go to stderr.
        await errors.WriteLineAsync($"# Policy (stdout): serve at {url ?? "https://mta-sts.<domain>/.well-known/mta-sts.txt"} as text/plain").ConfigureAwait(false);
        await output.WriteAsync(document!.Body).ConfigureAwait(false);
        await errors.WriteLineAsync($"# TXT record at {txtName ?? "_mta-sts.<domain>"} (the id follows the policy's content):").ConfigureAwait(false);
        await errors.WriteLineAsync(document.TxtRecord).ConfigureAwait(false);
        return ExitCodes.Ok;
    }
}
