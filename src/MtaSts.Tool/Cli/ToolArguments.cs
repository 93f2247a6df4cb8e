using System.Net;

namespace MtaSts.Tool.Cli;

/// <summary>A parsed command line: the command, its operands and the options every command shares.</summary>
internal sealed class ToolArguments
{
    public const int DefaultSmtpPort = 25;
    public const int DefaultHttpsPort = 443;

    public required string Command { get; init; }

    public bool Help { get; set; }

    public bool Json { get; set; }

    /// <summary>check: also look up each MX's DANE state (DO bit, the resolver's AD) and decide with DANE first.</summary>
    public bool Dane { get; set; }

    public List<string> Operands { get; } = [];

    public List<string> Mx { get; } = [];

    public List<IPEndPoint> NameServers { get; } = [];

    public string? CaFile { get; set; }

    /// <summary>The limit of each network step (one DNS query, the policy fetch, one SMTP probe).</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Advanced: the port MX hosts are probed on instead of 25 (tests, firewalled networks).</summary>
    public int SmtpPort { get; set; } = DefaultSmtpPort;

    /// <summary>Advanced: the port of the policy host instead of 443 (tests).</summary>
    public int HttpsPort { get; set; } = DefaultHttpsPort;

    public string? Mode { get; set; }

    public long? MaxAge { get; set; }

    public string? Domain { get; set; }

    /// <summary>Whether host names must be resolved by the tool (through <see cref="NameServers"/>) rather than the OS.</summary>
    public bool ResolvesItself => NameServers.Count > 0 || HttpsPort != DefaultHttpsPort;
}
