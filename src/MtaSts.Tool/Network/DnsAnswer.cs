namespace MtaSts.Tool.Network;

/// <summary>The answer to one DNS question: the outcome, the values and, when it failed, why.</summary>
internal sealed record DnsAnswer<T>(DnsOutcome Outcome, IReadOnlyList<T> Values, string? Error)
{
    /// <summary>
    /// Whether the answer carried the AD bit: the resolver validated it with DNSSEC. Only a question sent with the DO
    /// bit (<see cref="ToolDns.WithDnssec"/>) can get it; a failed question never has it.
    /// </summary>
    public bool Authenticated { get; init; }

    public static DnsAnswer<T> Failed(string error) => new(DnsOutcome.Failed, [], error);
}
