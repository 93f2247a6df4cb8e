namespace MtaSts.Benchmarks;

/// <summary>Inputs shared by the benchmarks.</summary>
internal static class Samples
{
    public const string Record = "v=STSv1; id=20240466T010101Z";

    public const string TypicalPolicy = "version: STSv1\nmode: enforce\nmx: mail.example.com\nmax_age: 604800\n";

    public static readonly string TwentyMxPolicy =
        "version: STSv1\nmode: enforce\n" + string.Concat(Enumerable.Range(0, 20).Select(i => $"mx: mx{i}.mail.example.com\n")) + "max_age: 604800\n";

    // The 64 KiB worst case: the largest body the fetcher accepts, almost all of it extension lines.
    public static readonly string WorstCasePolicy = BuildWorstCase();

    private static string BuildWorstCase()
    {
        var text = TypicalPolicy + string.Concat(Enumerable.Repeat("x-padding: " + new string('a', 100) + "\n", 700));
        return text[..(64 * 1024 - 1)] + "\n";
    }
}
