using System.Text.RegularExpressions;

namespace MtaSts.Tests.Docs;

/// <summary>
/// Docs that cannot rot: every C# block of the READMEs is a compiled region of samples/MtaSts.Snippets, and
/// docs/operations.md lists exactly the log events, instruments and options the code has.
/// </summary>
public sealed partial class DocsConsistencyTests
{
    private static readonly string Root = FindRepository();

    public static TheoryData<string> Readmes() =>
        [.. new[] { Path.Combine(Root, "README.md") }.Concat(Directory.GetFiles(Path.Combine(Root, "src"), "README.md", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
            .Select(p => Path.GetRelativePath(Root, p))];

    [Theory]
    [MemberData(nameof(Readmes))]
    public void Readme_EveryCSharpBlock_IsItsSnippetRegions(string readme)
    {
        var regions = Regions();
        var text = File.ReadAllText(Path.Combine(Root, readme)).ReplaceLineEndings("\n");
        var blocks = CSharpBlock().Matches(text);
        if (readme == "README.md")
        {
            blocks.Should().HaveCountGreaterThanOrEqualTo(4, "the README has the API, MailKit and DI quick starts");
        }

        foreach (Match block in blocks)
        {
            var marker = block.Groups["names"];
            marker.Success.Should().BeTrue($"every C# block of {readme} is preceded by <!-- snippet: region ... --> (block at offset {block.Index})");
            var names = marker.Value.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            names.Should().OnlyContain(n => regions.ContainsKey(n), $"{readme} names regions of samples/MtaSts.Snippets");
            var expected = string.Join("\n\n", names.Select(n => regions[n])) + "\n";
            block.Groups["code"].Value.Should().Be(expected,
                $"the block [{marker.Value}] of {readme} must equal its compiled regions: run python3 eng/update-snippets.py");
        }
    }

    [Fact]
    public void OperationsLogTable_MatchesEveryLoggerMessage()
    {
        var code = SourceFiles()
            .SelectMany(f => LoggerMessage().Matches(File.ReadAllText(f)).Select(m => Event(m.Groups["args"].Value)))
            .OrderBy(e => e.Id).ToList();
        var doc = Between(Operations(), "<!-- log-events:start -->", "<!-- log-events:end -->")
            .Split('\n').Select(Cells).Where(c => c.Length == 5 && int.TryParse(c[0], out _))
            .Select(c => (Id: int.Parse(c[0], System.Globalization.CultureInfo.InvariantCulture), Name: c[1], Level: c[2])).ToList();

        code.Should().HaveCountGreaterThan(30, "the library logs through source-generated [LoggerMessage] methods");
        code.Select(e => e.Id).Should().OnlyHaveUniqueItems("event ids identify events");
        doc.Should().Equal(code, "docs/operations.md lists every log event with its id, name and level: run python3 eng/update-operations-tables.py");
    }

    [Fact]
    public void OperationsInstrumentTable_MatchesEveryInstrument()
    {
        var code = SourceFiles()
            .SelectMany(f => Instrument().Matches(File.ReadAllText(f)).Select(m => (Name: m.Groups["name"].Value, Unit: m.Groups["unit"].Value)))
            .OrderBy(i => i.Name, StringComparer.Ordinal).ToList();
        var doc = Operations().Split('\n').Select(Cells).Where(c => c.Length == 4 && c[0].StartsWith("`mtasts.", StringComparison.Ordinal) && c[1] != "Kind")
            .Select(c => (Name: c[0].Trim('`'), Unit: c[1])).Where(i => !i.Unit.StartsWith("Internal", StringComparison.Ordinal) && i.Unit != "Client")
            .OrderBy(i => i.Name, StringComparer.Ordinal).ToList();

        code.Should().HaveCountGreaterThan(5);
        doc.Should().Equal(code, "docs/operations.md lists every instrument with its unit");
    }

    [Theory]
    [InlineData("src/MtaSts.Net/MtaStsOptions.cs", "src/MtaSts.Net/DependencyInjection/MtaStsConfigurationBinder.cs", "MtaSts")]
    [InlineData("src/MtaSts.Net/DependencyInjection/MtaStsRefreshOptions.cs", "src/MtaSts.Net/DependencyInjection/MtaStsRefreshOptionsValidator.cs", "MtaSts:Refresh")]
    [InlineData("src/MtaSts.Net/Reporting/TlsRptOptions.cs", "src/MtaSts.Net/Reporting/TlsRptOptionsValidator.cs", "MtaSts:TlsRpt")]
    [InlineData("src/MtaSts.Net.MailKit/Delivery/MtaStsDirectSenderOptions.cs", "src/MtaSts.Net.MailKit/Delivery/MtaStsDirectSenderOptionsValidator.cs", "MtaSts:Delivery")]
    [InlineData("src/MtaSts.Net.HealthChecks/MtaStsHealthCheckOptions.cs", "src/MtaSts.Net.HealthChecks/MtaStsHealthCheckOptionsValidator.cs", "MtaSts:HealthChecks")]
    public void OperationsOptionTables_ListEveryOptionWithItsConfigurationKey(string file, string binder, string section)
    {
        var type = Path.GetFileNameWithoutExtension(file);
        var table = Between(Operations(), $"### `{type}`", "\n#");
        var options = PublicProperty().Matches(File.ReadAllText(Path.Combine(Root, file))).Select(m => m.Groups["name"].Value).ToList();
        var read = BinderRead().Matches(File.ReadAllText(Path.Combine(Root, binder))).Select(m => m.Groups["name"].Value).ToList();

        options.Should().NotBeEmpty();
        read.Should().NotBeEmpty($"{binder} reads {type} from configuration");
        var rows = table.Split('\n').Select(Cells).Where(c => c.Length == 3 && c[0].StartsWith('`')).Select(c => (Option: c[0].Trim('`'), Key: c[1])).ToList();
        rows.Select(r => r.Option).Should().BeEquivalentTo(options, $"docs/operations.md lists every option of {type}, and no other");
        rows.Where(r => r.Key.StartsWith('`')).Select(r => r.Option).Should().BeEquivalentTo(read,
            $"the options of {type} with a configuration key are exactly those {Path.GetFileName(binder)} reads; the others are code only (—)");
        rows.Where(r => r.Key.StartsWith('`')).Should().OnlyContain(r => r.Key.StartsWith($"`{section}:{r.Option}", StringComparison.Ordinal),
            $"each key is {section}:<option>");
    }

    private static (int Id, string Name, string Level) Event(string args)
    {
        var positional = Regex.Match(args, @"^\s*(\d+)\s*,\s*LogLevel\.(\w+)");
        var id = positional.Success ? positional.Groups[1].Value : Regex.Match(args, @"EventId\s*=\s*(\d+)").Groups[1].Value;
        var name = Regex.Match(args, "EventName\\s*=\\s*\"(\\w+)\"").Groups[1].Value;
        return (int.Parse(id, System.Globalization.CultureInfo.InvariantCulture), name, positional.Success ? positional.Groups[2].Value : "varies");
    }

    private static Dictionary<string, string> Regions()
    {
        var regions = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var file in Directory.GetFiles(Path.Combine(Root, "samples", "MtaSts.Snippets"), "*.cs"))
        {
            foreach (Match m in Region().Matches(File.ReadAllText(file).ReplaceLineEndings("\n")))
            {
                regions.Add(m.Groups["name"].Value, Dedent(m.Groups["body"].Value));
            }
        }

        return regions;
    }

    private static string Dedent(string body)
    {
        var lines = body.TrimEnd('\n').Split('\n');
        var indent = lines.Where(l => l.Trim().Length > 0).Select(l => l.Length - l.TrimStart().Length).DefaultIfEmpty(0).Min();
        return string.Join("\n", lines.Select(l => l.Length >= indent ? l[indent..] : l.TrimStart()));
    }

    private static string[] Cells(string row) =>
        row.Trim().StartsWith('|') ? [.. row.Trim().Trim('|').Split(" | ").Select(c => c.Trim())] : [];

    private static string Between(string text, string start, string end)
    {
        var from = text.IndexOf(start, StringComparison.Ordinal);
        from.Should().BeGreaterThanOrEqualTo(0, $"docs/operations.md has {start}");
        var to = text.IndexOf(end, from + start.Length, StringComparison.Ordinal);
        return to < 0 ? text[from..] : text[from..to];
    }

    private static string Operations() => File.ReadAllText(Path.Combine(Root, "docs", "operations.md")).ReplaceLineEndings("\n");

    private static IEnumerable<string> SourceFiles() =>
        Directory.GetFiles(Path.Combine(Root, "src"), "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal));

    private static string FindRepository()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "MtaSts.Net.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException("MtaSts.Net.sln not found above " + AppContext.BaseDirectory);
    }

    [GeneratedRegex(@"(?:<!-- snippet: (?<names>[^>]*?) -->\n)?```csharp\n(?<code>.*?)```", RegexOptions.Singleline)]
    private static partial Regex CSharpBlock();

    [GeneratedRegex(@"^[ \t]*#region (?<name>\S+)[ \t]*\n(?<body>.*?)^[ \t]*#endregion", RegexOptions.Singleline | RegexOptions.Multiline)]
    private static partial Regex Region();

    [GeneratedRegex(@"\[LoggerMessage\((?<args>.*?)\)\]\s*\n", RegexOptions.Singleline)]
    private static partial Regex LoggerMessage();

    [GeneratedRegex("Create(?:Histogram|Counter|UpDownCounter|Gauge)<\\w+>\\(\\s*\"(?<name>[^\"]+)\",\\s*\"(?<unit>[^\"]*)\"")]
    private static partial Regex Instrument();

    [GeneratedRegex(@"public\s+[\w<>?,\s\[\]]+?\s+(?<name>\w+)\s*\{\s*get;(?:\s*(?:set|init);)?\s*\}")]
    private static partial Regex PublicProperty();

    [GeneratedRegex(@"reader\.\w+(?:<\w+>)?\(nameof\(\w+\.(?<name>\w+)\)")]
    private static partial Regex BinderRead();
}
