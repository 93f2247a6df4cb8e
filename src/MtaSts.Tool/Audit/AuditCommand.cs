using MtaSts.Tool.Cli;
using MtaSts.Tool.Network;

namespace MtaSts.Tool.Audit;

/// <summary><c>mta-sts audit &lt;domain&gt;</c>: exit 0 without errors, 1 with at least one, 2 on bad usage.</summary>
internal static class AuditCommand
{
    public static async Task<int> RunAsync(ToolArguments arguments, TextWriter output, TextWriter errors, TimeProvider time, CancellationToken cancellationToken)
    {
        if (arguments.Operands.Count != 1)
        {
            return await ToolApp.UsageErrorAsync(errors, arguments.Operands.Count == 0 ? "audit: a domain is required" : $"audit: unexpected argument: {arguments.Operands[1]}").ConfigureAwait(false);
        }

        if (!DomainInput.TryNormalize(arguments.Operands[0], out var domain, out var error))
        {
            return await ToolApp.UsageErrorAsync(errors, $"audit: {error}").ConfigureAwait(false);
        }

        if (!TrustRoots.TryLoad(arguments.CaFile, out var roots, out error))
        {
            return await ToolApp.UsageErrorAsync(errors, error!).ConfigureAwait(false);
        }

        var report = await new Auditor(domain, arguments, roots, new Progress(errors), time).RunAsync(cancellationToken).ConfigureAwait(false);
        if (arguments.Json)
        {
            await AuditOutput.WriteJsonAsync(output, report).ConfigureAwait(false);
        }
        else
        {
            await AuditOutput.WriteTextAsync(output, report).ConfigureAwait(false);
        }

        return report.Errors > 0 ? ExitCodes.Problems : ExitCodes.Ok;
    }
}
