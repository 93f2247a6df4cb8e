using BenchmarkDotNet.Attributes;

namespace MtaSts.Benchmarks;

/// <summary>
/// Policy and record parsing against a naive split-on-newline, split-on-colon dictionary parser (how several peers
/// parse), which validates nothing: the baseline shows what the strict grammar costs.
/// </summary>
[MemoryDiagnoser]
public class ParsingBenchmarks
{
    [Params("typical", "20-mx", "64KiB")]
    public string Policy { get; set; } = "typical";

    private string _text = Samples.TypicalPolicy;

    [GlobalSetup]
    public void Setup() => _text = Policy switch
    {
        "20-mx" => Samples.TwentyMxPolicy,
        "64KiB" => Samples.WorstCasePolicy,
        _ => Samples.TypicalPolicy,
    };

    [Benchmark(Baseline = true)]
    public int NaiveSplitParse()
    {
        var fields = new Dictionary<string, string>();
        var mx = new List<string>();
        foreach (var line in _text.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var parts = line.Split(':', 2);
            if (parts.Length != 2)
            {
                continue;
            }

            var key = parts[0].Trim();
            if (key == "mx")
            {
                mx.Add(parts[1].Trim());
            }
            else
            {
                fields[key] = parts[1].Trim();
            }
        }

        return fields.Count + mx.Count;
    }

    [Benchmark]
    public MtaStsPolicy? PolicyTryParse()
    {
        MtaStsPolicy.TryParse(_text, out var policy, out _);
        return policy;
    }
}

/// <summary>TXT record parsing against a naive split on ';' and '='.</summary>
[MemoryDiagnoser]
public class RecordParsingBenchmarks
{
    [Benchmark(Baseline = true)]
    public int NaiveSplitParse()
    {
        var count = 0;
        foreach (var field in Samples.Record.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            count += field.Split('=', 2).Length;
        }

        return count;
    }

    [Benchmark]
    public object? RecordTryParse()
    {
        MtaStsRecord.TryParse(Samples.Record, out var record);
        return record;
    }
}
