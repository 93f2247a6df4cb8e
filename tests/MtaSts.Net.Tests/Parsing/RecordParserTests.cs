namespace MtaSts.Tests.Parsing;

public class RecordParserTests
{
    [Theory]
    [InlineData("v=STSv1; id=abc", "abc", "TXT-2 minimal record")]
    [InlineData("v=STSv1;id=abc", "abc", "TXT-8 no whitespace around ';'")]
    [InlineData("v=STSv1;  id=abc  ;", "abc", "TXT-8 spaces around ';' and one trailing delimiter")]
    [InlineData("v=STSv1;\tid=abc", "abc", "TXT-8 tab is WSP")]
    [InlineData("v=STSv1; id=abc;", "abc", "TXT-8 optional trailing delimiter")]
    [InlineData("v=STSv1; foo=bar; id=abc", "abc", "TXT-2 other fields in any order after the version")]
    [InlineData("v=STSv1; id=abc; f.o-o_1=x", "abc", "TXT-10 extension name with . - _")]
    [InlineData("v=STSv1; id=aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "TXT-7 32-character id")]
    [InlineData("v=STSv1; id=20160831085700Z", "20160831085700Z", "TXT-7 RFC example id")]
    [InlineData("v=STSv1; id=abc; id=def", "abc", "TXT-12 first duplicate wins")]
    [InlineData("v=STSv1;id=abc;v=STSv1", "abc", "TXT-12 duplicated version is ignored")]
    [InlineData("v=STSv1 ; id=abc", "abc", "TXT-9 whitespace before the first ';' is ABNF-valid")]
    [InlineData("v=STSv1; id=ABC123", "ABC123", "TXT-7 upper case letters are ALPHA")]
    [InlineData("v=STSv1; id=x; ext=!\"#$%&'()*+,-./:<>?@[]^_`{|}~", "x", "TXT-10 every allowed value punctuation")]
    public void TryParse_Valid_ReturnsId(string text, string expectedId, string reason)
    {
        var ok = MtaStsRecord.TryParse(text, out var record);
        ok.Should().BeTrue(reason);
        record!.Id.Should().Be(expectedId, reason);
        record.Leniencies.Should().BeEmpty();
    }

    [Theory]
    [InlineData("V=STSv1; id=abc", "TXT-2 version is case-sensitive")]
    [InlineData("v=stsv1; id=abc", "TXT-2 version value is case-sensitive")]
    [InlineData("id=abc; v=STSv1", "TXT-2 version must come first")]
    [InlineData(" v=STSv1; id=abc", "TXT-2 leading space")]
    [InlineData("v=STSv1; id=", "TXT-7 empty id")]
    [InlineData("v=STSv1; id=aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "TXT-7 33-character id is an extension, so no id")]
    [InlineData("v=STSv1; id=abc-123", "TXT-7 '-' not allowed in id")]
    [InlineData("v=STSv1; id=abc_123", "TXT-7 '_' not allowed in id")]
    [InlineData("v=STSv1; id=2016.08.31", "TXT-7 '.' not allowed in id")]
    [InlineData("v=STSv1", "TXT-7 no id")]
    [InlineData("v=STSv1;", "TXT-7 no id after delimiter")]
    [InlineData("v=STSv1; id =abc", "TXT-8 space before '='")]
    [InlineData("v=STSv1; id= abc", "TXT-8 space after '='")]
    [InlineData("v=STSv1; id=abc def", "TXT-8 space inside a value")]
    [InlineData("v=STSv1; id=abc;;", "TXT-8 two trailing delimiters")]
    [InlineData("v=STSv1;; id=abc", "TXT-8 empty field")]
    [InlineData("v=STSv1; id=abc; foo=", "TXT-10 empty extension value")]
    [InlineData("v=STSv1; id=abc; foo=a=b", "TXT-10 '=' inside an extension value")]
    [InlineData("v=STSv1; id=abc; _foo=bar", "TXT-10 extension name must start alphanumeric")]
    [InlineData("v=STSv1; id=abc; aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa=1", "TXT-10 33-character extension name")]
    [InlineData("v=STSv1; id=abc; x=café", "TXT-11 non-ASCII")]
    [InlineData("v=STSv1; id=abc\n", "TXT-11 LF is a CTL")]
    [InlineData("v=STSv1; id=abc\0", "TXT-11 NUL")]
    [InlineData("v=STSv10; id=abc", "TXT-2 STSv10 is not STSv1")]
    [InlineData("v=STSv1; id=abc ", "TXT-8 trailing whitespace without delimiter")]
    [InlineData("v=STSv1 id=abc", "TXT-8 fields need ';'")]
    [InlineData("", "TXT-2 empty record")]
    [InlineData("v=spf1 -all", "TXT-2 another kind of record")]
    public void TryParse_Invalid_ReturnsFalseWithError(string text, string reason)
    {
        MtaStsRecord.TryParse(text, MtaStsParsingMode.Strict, out var record, out var error).Should().BeFalse(reason);
        record.Should().BeNull();
        error.Should().NotBeNullOrWhiteSpace(reason);
    }

    [Theory]
    [InlineData("v=STSv1; id=abc-123", "abc-123", "id with '-'")]
    [InlineData("v=STSv1; id=2016.08.31", "2016.08.31", "id with '.'")]
    [InlineData("v=STSv1; id=a+b_c", "a+b_c", "id with '+' and '_'")]
    [InlineData("v=STSv1;; id=abc", "abc", "empty field")]
    [InlineData("v=STSv1; id=abc ", "abc", "trailing whitespace")]
    [InlineData(" v=STSv1; id=abc", "abc", "leading whitespace")]
    public void TryParse_LenientDeviation_AcceptedAndListed(string text, string expectedId, string reason)
    {
        MtaStsRecord.TryParse(text, MtaStsParsingMode.Strict, out _, out _).Should().BeFalse("strict mode rejects: " + reason);
        MtaStsRecord.TryParse(text, MtaStsParsingMode.Lenient, out var record, out var error).Should().BeTrue(reason);
        error.Should().BeNull();
        record!.Id.Should().Be(expectedId);
        record.Leniencies.Should().NotBeEmpty("each leniency is listed so it can be logged");
    }

    [Theory]
    [InlineData("V=STSv1; id=abc", "lenient mode still requires the exact version")]
    [InlineData("v=STSv1; id=", "lenient mode still requires an id")]
    [InlineData("v=STSv1; id=abc; x=café", "lenient mode still rejects non-ASCII")]
    public void TryParse_LenientStillRejects(string text, string reason) =>
        MtaStsRecord.TryParse(text, MtaStsParsingMode.Lenient, out _, out _).Should().BeFalse(reason);

    [Fact]
    public void TryParse_Null_Throws()
    {
        var act = () => MtaStsRecord.TryParse(null!, out _);
        act.Should().Throw<ArgumentNullException>();
    }
}
