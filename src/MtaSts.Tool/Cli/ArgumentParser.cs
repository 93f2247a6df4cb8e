using System.Globalization;
using System.Net;

namespace MtaSts.Tool.Cli;

/// <summary>
/// Reads <c>mta-sts &lt;command&gt; [operands] [options]</c>. Options may come anywhere after the command; each command
/// accepts only its own. No reflection: a plain loop, so the tool trims and compiles ahead of time.
/// </summary>
internal static class ArgumentParser
{
    private static readonly string[] Common = ["--json", "--name-server", "--ca-file", "--timeout", "--help", "-h"];

    private static readonly Dictionary<string, string[]> PerCommand = new(StringComparer.Ordinal)
    {
        ["check"] = ["--mx", "--https-port", "--dane"],
        ["audit"] = ["--smtp-port", "--https-port"],
        ["generate"] = ["--mx", "--mode", "--max-age", "--domain"],
    };

    public static IReadOnlyCollection<string> Commands => PerCommand.Keys;

    public static bool TryParse(IReadOnlyList<string> args, out ToolArguments? parsed, out string? error)
    {
        parsed = null;
        if (args.Count == 0 || !PerCommand.TryGetValue(args[0], out var own))
        {
            error = args.Count == 0 ? "a command is required" : $"unknown command: {args[0]}";
            return false;
        }

        var result = new ToolArguments { Command = args[0] };
        for (var i = 1; i < args.Count; i++)
        {
            var arg = args[i];
            if (!arg.StartsWith('-') || arg == "-")
            {
                result.Operands.Add(arg);
                continue;
            }

            if (!Common.Contains(arg) && !own.Contains(arg))
            {
                error = $"unknown option for {result.Command}: {arg}";
                return false;
            }

            if (arg is "--help" or "-h")
            {
                result.Help = true;
                continue;
            }

            if (arg == "--json")
            {
                result.Json = true;
                continue;
            }

            if (arg == "--dane")
            {
                result.Dane = true;
                continue;
            }

            if (i + 1 >= args.Count)
            {
                error = $"{arg} needs a value";
                return false;
            }

            if (!TryApply(result, arg, args[++i], out error))
            {
                return false;
            }
        }

        parsed = result;
        error = null;
        return true;
    }

    private static bool TryApply(ToolArguments result, string option, string value, out string? error)
    {
        error = null;
        switch (option)
        {
            case "--mx":
                result.Mx.Add(value);
                return true;
            case "--name-server":
                if (!TryEndPoint(value, 53, out var endPoint))
                {
                    error = $"--name-server: not an address: {value} (use ip or ip:port)";
                    return false;
                }

                result.NameServers.Add(endPoint);
                return true;
            case "--ca-file":
                result.CaFile = value;
                return true;
            case "--timeout":
                if (!double.TryParse(value.TrimEnd('s'), NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds) || seconds is < 0.1 or > 600)
                {
                    error = $"--timeout: not a number of seconds between 0.1 and 600: {value}";
                    return false;
                }

                result.Timeout = TimeSpan.FromSeconds(seconds);
                return true;
            case "--smtp-port" or "--https-port":
                if (!int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port is < 1 or > 65535)
                {
                    error = $"{option}: not a port: {value}";
                    return false;
                }

                if (option == "--smtp-port")
                {
                    result.SmtpPort = port;
                }
                else
                {
                    result.HttpsPort = port;
                }

                return true;
            case "--mode":
                result.Mode = value;
                return true;
            case "--max-age":
                if (!long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var maxAge))
                {
                    error = $"--max-age: not a number of seconds: {value}";
                    return false;
                }

                result.MaxAge = maxAge;
                return true;
            default: // --domain
                result.Domain = value;
                return true;
        }
    }

    private static bool TryEndPoint(string text, int defaultPort, out IPEndPoint endPoint)
    {
        if (IPEndPoint.TryParse(text, out var parsed))
        {
            endPoint = parsed.Port == 0 ? new IPEndPoint(parsed.Address, defaultPort) : parsed;
            return true;
        }

        endPoint = null!;
        return false;
    }
}
