using System.Text;
using MtaSts.Tool.Postfix;

namespace MtaSts.Tool.Tests.Postfix;

public sealed class NetstringTests
{
    [Theory]
    [InlineData("5:hello,", 5, "Complete")]                 // one whole netstring
    [InlineData("0:,", 5, "Complete")]                      // the empty payload
    [InlineData("5:hello,6:", 5, "Complete")]               // the next one starts: only the first is read
    [InlineData("5:hel", 5, "Incomplete")]                  // split inside the payload
    [InlineData("5", 5, "Incomplete")]                      // split inside the length
    [InlineData("", 5, "Incomplete")]                       // nothing yet
    [InlineData("5:hello;", 5, "Malformed")]                // no comma after the payload
    [InlineData(":hello,", 5, "Malformed")]                 // no length
    [InlineData("05:hello,", 5, "Malformed")]               // leading zero
    [InlineData("x:hello,", 5, "Malformed")]                // not a digit
    [InlineData("-5:hello,", 5, "Malformed")]               // a sign
    [InlineData("6:hello!,", 5, "TooLarge")]                // over the limit
    [InlineData("99999999999", 1000, "TooLarge")]           // endless digits, no colon yet
    public void TryRead_Input_ReturnsStatus(string input, int max, string status)
    {
        var expected = Enum.Parse<NetstringStatus>(status);
        var actual = Netstring.TryRead(Encoding.ASCII.GetBytes(input), max, out var offset, out var length, out var consumed);

        actual.Should().Be(expected);
        if (expected == NetstringStatus.Complete)
        {
            var payload = input.Substring(offset, length);
            input[consumed - 1].Should().Be(',', "the whole netstring is consumed");
            (input[..consumed]).Should().Be($"{payload.Length}:{payload},");
        }
    }

    [Fact]
    public void Encode_Reply_IsANetstringOfItsUtf8Bytes() =>
        Encoding.ASCII.GetString(Netstring.Encode("OK secure match=.example.com")).Should().Be("28:OK secure match=.example.com,");
}
