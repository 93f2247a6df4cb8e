using BenchmarkDotNet.Attributes;

namespace MtaSts.Benchmarks;

/// <summary>MX matching (RFC 8461 §4.1) against one plain case-insensitive string comparison.</summary>
[MemoryDiagnoser]
public class MxMatchBenchmarks
{
    private readonly MtaStsPolicy _one = Parse("mx: mail.example.com\n");
    private readonly MtaStsPolicy _wildcard = Parse("mx: *.example.com\n");
    private readonly MtaStsPolicy _ten = Parse(string.Concat(Enumerable.Range(0, 9).Select(i => $"mx: mx{i}.other{i}.example.net\n")) + "mx: *.example.com\n");

    private readonly string _pattern = "mail.example.com";
    private readonly string _host = "MAIL.example.com";

    [Benchmark(Baseline = true)]
    public bool StringEquals() => string.Equals(_pattern, _host, StringComparison.OrdinalIgnoreCase);

    [Benchmark]
    public bool Exact() => _one.Matches("MAIL.example.com");

    [Benchmark]
    public bool Wildcard() => _wildcard.Matches("mx1.example.com.");

    [Benchmark]
    public bool Miss() => _wildcard.Matches("mx1.example.org");

    [Benchmark]
    public bool OverTenPatterns() => _ten.Matches("mx1.example.com");

    private static MtaStsPolicy Parse(string mx)
    {
        MtaStsPolicy.TryParse("version: STSv1\nmode: enforce\n" + mx + "max_age: 86400\n", out var policy, out var error);
        return policy ?? throw new InvalidOperationException(error);
    }
}
