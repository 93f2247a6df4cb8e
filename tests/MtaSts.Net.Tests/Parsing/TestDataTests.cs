namespace MtaSts.Tests.Parsing;

/// <summary>The files under TestData/ (also the fuzzer's seed corpus) parse, or fail, as their folder says.</summary>
public class TestDataTests
{
    public static TheoryData<string> ValidPolicies => Files("policies/valid");

    public static TheoryData<string> InvalidPolicies => Files("policies/invalid");

    [Theory]
    [MemberData(nameof(ValidPolicies))]
    public void ValidPolicyFile_Parses(string path) =>
        MtaStsPolicy.TryParse(File.ReadAllText(path), out _, out var error).Should().BeTrue($"{Path.GetFileName(path)}: {error}");

    [Theory]
    [MemberData(nameof(InvalidPolicies))]
    public void InvalidPolicyFile_Fails(string path) =>
        MtaStsPolicy.TryParse(File.ReadAllText(path), out _, out _).Should().BeFalse(Path.GetFileName(path));

    [Fact]
    public void RecordFiles_ParseByPrefix()
    {
        var files = Directory.GetFiles(Path.Combine(AppContext.BaseDirectory, "TestData", "records"));
        files.Should().NotBeEmpty();
        foreach (var path in files)
        {
            var valid = Path.GetFileName(path).StartsWith("valid", StringComparison.Ordinal);
            MtaStsRecord.TryParse(File.ReadAllText(path), out _).Should().Be(valid, Path.GetFileName(path));
        }
    }

    internal static TheoryData<string> Files(string folder)
    {
        var data = new TheoryData<string>();
        foreach (var path in Directory.GetFiles(Path.Combine(AppContext.BaseDirectory, "TestData", folder)).Order(StringComparer.Ordinal))
        {
            data.Add(path);
        }

        return data;
    }
}
