namespace MtaSts.Tests.Parsing;

public class RecordSelectionTests
{
    [Theory]
    [InlineData(new[] { "v=spf1 -all", "v=STSv1; id=abc" }, "Found", "abc", "TXT-3 non-STSv1 records are discarded")]
    [InlineData(new[] { "v=STSv1; id=abc", "v=STSv1; id=def" }, "Multiple", null, "TXT-3 two STSv1 records: no policy")]
    [InlineData(new[] { "v=STSv1; id=abc", "v=STSv1; id=" }, "Multiple", null, "TXT-3 an invalid second STSv1 record still counts")]
    [InlineData(new[] { "v=STSv1; id=abc", "v=STSv10; id=def" }, "Found", "abc", "TXT-3 v=STSv10; does not begin with v=STSv1;")]
    [InlineData(new[] { "v=STSv1; id=" }, "Invalid", null, "TXT-4 the one record is invalid")]
    [InlineData(new[] { "v=spf1 -all" }, "NotFound", null, "TXT-3 no STSv1 record")]
    [InlineData(new string[0], "NotFound", null, "TXT-3 empty RRset")]
    [InlineData(new[] { "v=STSv1 ; id=abc" }, "Found", "abc", "TXT-9 lone record with whitespace before ';'")]
    [InlineData(new[] { "v=STSv1 ; id=abc", "v=spf1 -all" }, "NotFound", null, "TXT-9 literal prefix filter in a multi-record RRset")]
    [InlineData(new[] { "v=STSv1;id=abc" }, "Found", "abc", "TXT-8 compact record")]
    public void Select_RRset_FollowsTxt3(string[] records, string expected, string? id, string reason)
    {
        var outcome = MtaStsRecord.Select(records, MtaStsParsingMode.Strict, out var record, out var error);
        outcome.ToString().Should().Be(expected, reason); // a name: the enum is internal
        record?.Id.Should().Be(id, reason);
        if (expected == nameof(MtaStsRecordSelection.Found))
        {
            record!.Text.Should().StartWith("v=STSv1");
            error.Should().BeNull();
        }
        else
        {
            record.Should().BeNull();
            error.Should().NotBeNullOrEmpty();
        }
    }
}
