using CsCheck;

namespace MtaSts.Tests.Properties;

/// <summary>Properties of the parsers and the matcher over generated inputs (CsCheck, with shrinking).</summary>
public class ParserPropertyTests
{
    private static readonly Gen<char> PolicyChar = Gen.Frequency(
        (6, Gen.Char["abcdefghijklmnopqrstuvwxyz0123456789"]),
        (3, Gen.Char[":.-_*; \t=\r\n"]),
        (1, Gen.Char.AlphaNumeric),
        (1, Gen.Char));

    private static readonly Gen<string> Modes = Gen.Int[0, 2].Select(i => i switch { 0 => "enforce", 1 => "testing", _ => "none" });

    private static readonly Gen<string> Label = Gen.String[Gen.Char["abcdefghijklmnopqrstuvwxyz0123456789"], 1, 12];

    private static readonly Gen<string> HostName = Label.Array[1, 4].Select(labels => string.Join('.', labels) + ".example");

    [Fact]
    public void PolicyTryParse_AnyInput_NeverThrows() =>
        Gen.String[PolicyChar, 0, 400].Sample(text =>
        {
            MtaStsPolicy.TryParse(text, MtaStsParsingMode.Strict, out _, out _);
            MtaStsPolicy.TryParse(text, MtaStsParsingMode.Lenient, out _, out _);
        }, iter: 20_000);

    [Fact]
    public void RecordTryParse_AnyInput_NeverThrows() =>
        Gen.String[PolicyChar, 0, 200].Sample(text =>
        {
            MtaStsRecord.TryParse(text, MtaStsParsingMode.Strict, out _, out _);
            MtaStsRecord.TryParse("v=STSv1;" + text, MtaStsParsingMode.Lenient, out _, out _);
        }, iter: 20_000);

    [Fact]
    public void ValidPolicy_RoundTrips()
    {
        var policies =
            from mode in Modes
            from mx in Gen.OneOf(HostName, HostName.Select(h => "*." + h)).Array[mode == "none" ? 0 : 1, 6]
            from maxAge in Gen.Long[0, 31_557_600]
            from crlf in Gen.Bool
            from extensions in Gen.Select(Label, Gen.String[Gen.Char["abc xyz123é"], 1, 10]).Array[0, 3]
            select (mode, mx, maxAge, crlf, extensions);

        policies.Sample(p =>
        {
            var newline = p.crlf ? "\r\n" : "\n";
            var lines = new List<string> { "version: STSv1", $"mode: {p.mode}", $"max_age: {p.maxAge}" };
            lines.AddRange(p.mx.Select(m => $"mx: {m}"));
            lines.AddRange(p.extensions.Select(e => $"x{e.Item1}: {e.Item2.Trim()}x"));
            var text = string.Join(newline, lines) + newline;

            MtaStsPolicy.TryParse(text, out var policy, out var error).Should().BeTrue(error);
            policy!.Mode.ToString().ToLowerInvariant().Should().Be(p.mode);
            policy.Mx.Should().Equal(p.mx);
            policy.MaxAge.TotalSeconds.Should().Be(p.maxAge);
            policy.Text.Should().Be(text);
            foreach (var mx in p.mx.Where(m => !m.StartsWith('*')))
            {
                policy.Matches(mx.ToUpperInvariant()).Should().BeTrue("every listed host matches itself, in any case");
            }
        }, iter: 2_000);
    }

    [Fact]
    public void DuplicateFields_FirstWins() =>
        Gen.Select(Modes, Modes, Gen.Long[0, 31_557_600], Gen.Long[0, 31_557_600])
            .Sample((first, second, age1, age2) =>
            {
                var text = $"version: STSv1\nmode: {first}\nmode: {second}\nmx: a.example\nmax_age: {age1}\nmax_age: {age2}\n";
                MtaStsPolicy.TryParse(text, out var policy, out _).Should().BeTrue();
                policy!.Mode.ToString().ToLowerInvariant().Should().Be(first);
                policy.MaxAge.TotalSeconds.Should().Be(age1);
            }, iter: 500);

    [Fact]
    public void Wildcard_NeverMatchesTwoLabels() =>
        Gen.Select(HostName, Label, Label).Sample((suffix, a, b) =>
        {
            MtaStsPolicy.TryParse($"version: STSv1\nmode: enforce\nmx: *.{suffix}\nmax_age: 1\n", out var policy, out _).Should().BeTrue();
            policy!.Matches($"{a}.{suffix}").Should().BeTrue("one label");
            policy.Matches($"{a}.{b}.{suffix}").Should().BeFalse("MX-3 never two labels");
            policy.Matches(suffix).Should().BeFalse("MX-3 never zero labels");
        }, iter: 2_000);

    [Fact]
    public void MxMatcher_AnyHost_NeverThrows()
    {
        MtaStsPolicy.TryParse("version: STSv1\nmode: enforce\nmx: *.example.com\nmx: mail.example.org\nmax_age: 1\n", out var policy, out _).Should().BeTrue();
        Gen.String[PolicyChar, 0, 80].Sample(host => { policy!.Matches(host); }, iter: 20_000);
    }
}
