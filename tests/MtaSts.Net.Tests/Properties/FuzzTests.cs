using System.Text;

namespace MtaSts.Tests.Properties;

/// <summary>
/// A bounded in-process mutational fuzzer for both parsers, seeded from TestData/: byte flips, insertions, deletions,
/// splices and grammar tokens. Bounded by a fixed count of inputs from a fixed seed, so a slow machine runs the same
/// inputs, only slower. Every input that ever crashed a parser is kept under TestData/regressions/ and replayed first.
/// </summary>
public class FuzzTests
{
    private const int Iterations = 60_000;
    private static readonly string[] Tokens =
    [
        "version: STSv1", "mode: enforce", "mode: testing", "mode: none", "mx: ", "*.", "max_age: ", "31557600", "\r\n", "\n", "\r",
        ":", ";", "=", "v=STSv1", "id=", " ", "\t", "\0", "\uFEFF", "xn--", "é", "☕", "\uD800", "..", "-",
    ];

    [Fact]
    public void Fuzz_PolicyParser_NoCrashAndInvariantsHold() =>
        Fuzz(Seeds("policies"), text =>
        {
            foreach (var mode in new[] { MtaStsParsingMode.Strict, MtaStsParsingMode.Tolerant, MtaStsParsingMode.Lenient })
            {
                if (MtaStsPolicy.TryParse(text, mode, out var policy, out var error))
                {
                    error.Should().BeNull();
                    policy!.MaxAge.TotalSeconds.Should().BeInRange(0, 31_557_600);
                    (policy.Mode == MtaStsMode.None || policy.Mx.Count > 0).Should().BeTrue("POL-1");
                    policy.Text.Should().Be(text);
                    foreach (var mx in policy.Mx)
                    {
                        mx.Should().NotEndWith(".").And.NotContain(" ");
                    }
                }
                else
                {
                    error.Should().NotBeNullOrEmpty();
                    policy.Should().BeNull();
                }
            }
        });

    [Fact]
    public void Fuzz_RecordParser_NoCrashAndInvariantsHold() =>
        Fuzz(Seeds("records"), text =>
        {
            foreach (var mode in new[] { MtaStsParsingMode.Strict, MtaStsParsingMode.Tolerant, MtaStsParsingMode.Lenient })
            {
                if (MtaStsRecord.TryParse(text, mode, out var record, out _))
                {
                    record!.Id.Should().NotBeNullOrEmpty();
                    if (mode != MtaStsParsingMode.Lenient)
                    {
                        record.Id.Length.Should().BeLessThanOrEqualTo(32);
                        record.Id.All(char.IsAsciiLetterOrDigit).Should().BeTrue("TXT-7");
                    }
                }
            }
        });

    private static void Fuzz(List<string> seeds, Action<string> check)
    {
        seeds.Should().NotBeEmpty();
        var random = new Random(8461);
        foreach (var regression in Regressions())
        {
            Run(check, regression);
        }

        for (var i = 0; i < Iterations; i++)
        {
            Run(check, Mutate(seeds[random.Next(seeds.Count)], seeds, random)); // the checks assert on every input
        }

    }

    private static void Run(Action<string> check, string input)
    {
        try
        {
            check(input);
        }
        catch (Exception ex)
        {
            var escaped = string.Concat(input.Select(c => c is >= ' ' and <= '~' ? c.ToString() : $"\\u{(int)c:x4}"));
            throw new InvalidOperationException($"fuzz input failed; add it to TestData/regressions: \"{escaped}\"", ex);
        }
    }

    private static string Mutate(string seed, List<string> seeds, Random random)
    {
        var text = new StringBuilder(seed);
        var rounds = random.Next(1, 6);
        for (var i = 0; i < rounds; i++)
        {
            var at = text.Length == 0 ? 0 : random.Next(text.Length);
            switch (random.Next(6))
            {
                case 0 when text.Length > 0:
                    text[at] = (char)(text[at] ^ (1 << random.Next(7)));
                    break;
                case 1:
                    text.Insert(at, (char)random.Next(0, 0x80));
                    break;
                case 2 when text.Length > 0:
                    text.Remove(at, Math.Min(random.Next(1, 8), text.Length - at));
                    break;
                case 3:
                    text.Insert(at, Tokens[random.Next(Tokens.Length)]);
                    break;
                case 4:
                    var other = seeds[random.Next(seeds.Count)];
                    var from = random.Next(other.Length + 1);
                    text.Insert(at, other[from..Math.Min(other.Length, from + random.Next(1, 40))]);
                    break;
                default:
                    text.Append(Tokens[random.Next(Tokens.Length)]);
                    break;
            }
        }

        return text.ToString();
    }

    private static List<string> Seeds(string folder) =>
        [.. Directory.GetFiles(Path.Combine(AppContext.BaseDirectory, "TestData", folder), "*.txt", SearchOption.AllDirectories).Select(File.ReadAllText)];

    private static IEnumerable<string> Regressions()
    {
        var folder = Path.Combine(AppContext.BaseDirectory, "TestData", "regressions");
        return Directory.Exists(folder) ? Directory.GetFiles(folder).Select(File.ReadAllText) : [];
    }
}
