namespace MtaSts.Tool.Network;

/// <summary>The answer to one DNS question: the outcome, the values and, when it failed, why.</summary>
internal sealed record DnsAnswer<T>(DnsOutcome Outcome, IReadOnlyList<T> Values, string? Error)
{
    public static DnsAnswer<T> Failed(string error) => new(DnsOutcome.Failed, [], error);
}
