namespace MtaSts.Tool.Cli;

/// <summary>The tool's exit codes, the same for every command (listed in <c>--help</c> and the README).</summary>
internal static class ExitCodes
{
    /// <summary>check: discovery finished (with or without a policy); audit: no error found; generate: printed.</summary>
    public const int Ok = 0;

    /// <summary>
    /// check: discovery failed, so a sender would fail closed and defer, or with <c>--dane</c> DANE makes an MX unusable
    /// (DANE-5); audit: at least one error found.
    /// </summary>
    public const int Problems = 1;

    /// <summary>Bad usage: an unknown option, a missing or malformed argument, a malformed domain.</summary>
    public const int Usage = 2;

    /// <summary>Interrupted (Ctrl+C).</summary>
    public const int Interrupted = 130;
}
