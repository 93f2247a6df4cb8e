using System.Net;

namespace MtaSts.Check;

/// <summary>The command line: a domain, optional MX hosts, optional name servers, and the output format.</summary>
public sealed record CheckArguments(string Domain, IReadOnlyList<string> MxHosts, bool Json, IReadOnlyList<IPEndPoint> NameServers)
{
    public const string Usage = "usage: MtaSts.Check <domain> [--mx <host>]... [--json] [--name-server <ip[:port]>]...";

    public static bool TryParse(IReadOnlyList<string> args, out CheckArguments? parsed, out string? error)
    {
        parsed = null;
        string? domain = null;
        List<string> mx = [];
        List<IPEndPoint> servers = [];
        var json = false;
        for (var i = 0; i < args.Count; i++)
        {
            switch (args[i])
            {
                case "--json":
                    json = true;
                    break;
                case "--mx" when i + 1 < args.Count:
                    mx.Add(args[++i]);
                    break;
                case "--name-server" when i + 1 < args.Count:
                    if (!TryEndPoint(args[++i], out var endPoint))
                    {
                        error = $"not an address: {args[i]}";
                        return false;
                    }

                    servers.Add(endPoint);
                    break;
                case "-h" or "--help":
                    error = null;
                    return false;
                default:
                    if (args[i].StartsWith('-') || domain is not null)
                    {
                        error = $"unexpected argument: {args[i]}";
                        return false;
                    }

                    domain = args[i];
                    break;
            }
        }

        if (string.IsNullOrWhiteSpace(domain))
        {
            error = "a domain is required";
            return false;
        }

        parsed = new CheckArguments(domain, mx, json, servers);
        error = null;
        return true;
    }

    private static bool TryEndPoint(string text, out IPEndPoint endPoint)
    {
        if (IPEndPoint.TryParse(text, out var parsed))
        {
            endPoint = parsed.Port == 0 ? new IPEndPoint(parsed.Address, 53) : parsed;
            return true;
        }

        endPoint = null!;
        return false;
    }
}
