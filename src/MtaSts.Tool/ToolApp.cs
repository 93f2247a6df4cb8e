using MtaSts.Tool.Audit;
using MtaSts.Tool.Check;
using MtaSts.Tool.Cli;
using MtaSts.Tool.Generate;
using MtaSts.Tool.Postfix;

namespace MtaSts.Tool;

/// <summary>The tool's entry: reads the command line and runs the command; writers and clock are passed in for tests.</summary>
internal static class ToolApp
{
    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter errors, TimeProvider? time = null, CancellationToken cancellationToken = default)
    {
        if (args.Length == 1 && args[0] is "--help" or "-h" or "help")
        {
            await output.WriteLineAsync(Usage.Text).ConfigureAwait(false);
            return ExitCodes.Ok;
        }

        if (args.Length == 1 && args[0] == "--version")
        {
            await output.WriteLineAsync(typeof(ToolApp).Assembly.GetName().Version?.ToString(3) ?? "0.0.0").ConfigureAwait(false);
            return ExitCodes.Ok;
        }

        if (args.Length > 0 && args[0] == PostfixDaemonCommand.Name)
        {
            return await PostfixDaemonCommand.RunAsync(args[1..], output, errors, cancellationToken).ConfigureAwait(false); // a host with its own configuration
        }

        if (!ArgumentParser.TryParse(args, out var arguments, out var error))
        {
            return await UsageErrorAsync(errors, error!).ConfigureAwait(false);
        }

        if (arguments!.Help)
        {
            await output.WriteLineAsync(Usage.Text).ConfigureAwait(false);
            return ExitCodes.Ok;
        }

        try
        {
            return arguments.Command switch
            {
                "check" => await CheckCommand.RunAsync(arguments, output, errors, cancellationToken).ConfigureAwait(false),
                "audit" => await AuditCommand.RunAsync(arguments, output, errors, time ?? TimeProvider.System, cancellationToken).ConfigureAwait(false),
                _ => await GenerateCommand.RunAsync(arguments, output, errors).ConfigureAwait(false),
            };
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            await errors.WriteLineAsync("interrupted").ConfigureAwait(false);
            return ExitCodes.Interrupted;
        }
    }

    public static async Task<int> UsageErrorAsync(TextWriter errors, string message)
    {
        await errors.WriteLineAsync($"mta-sts: {message}").ConfigureAwait(false);
        await errors.WriteLineAsync(Usage.Short).ConfigureAwait(false);
        return ExitCodes.Usage;
    }
}
