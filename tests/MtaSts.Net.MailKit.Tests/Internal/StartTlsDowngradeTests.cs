using MtaSts.MailKit.Internal;

namespace MtaSts.MailKit.Tests.Internal;

public class StartTlsDowngradeTests
{
    [Theory]
    [InlineData("250-mx.example.com|250-PIPELINING|250-XXXXXXXA|250 8BITMIME", "XXXXXXXA", "the classic same-length rewrite")]
    [InlineData("250-mx.example.com|250-STARTTLX|250 SIZE 1000", "STARTTLX", "one byte from STARTTLS")]
    [InlineData("250-mx.example.com|250-SARTTLS|250 SIZE 1000", "SARTTLS", "one byte removed")]
    [InlineData("250-mx.example.com|250-xxxxxxxa|250 SIZE", "xxxxxxxa", "lower case rewrite")]
    [InlineData("mx.example.com|PIPELINING|XXXXXXXX", "XXXXXXXX", "lines without the 250 prefix")]
    [InlineData("250-mx.example.com|250-SIZE 10240000|250 STARTTTLS", "STARTTTLS", "one byte added")]
    public void Inspect_Stripped_ReturnsEvidence(string reply, string keyword, string reason)
    {
        var evidence = StartTlsDowngrade.Inspect(reply.Split('|'));
        evidence.Should().NotBeNull(reason);
        evidence.Should().Contain(keyword).And.Contain("stripped");
    }

    [Theory]
    [InlineData("250-mx.example.com|250-PIPELINING|250-8BITMIME|250-CHUNKING|250-SMTPUTF8|250 SIZE 1000", "only registered keywords")]
    [InlineData("250-mx.example.com|250-STARTTLS|250 8BITMIME", "STARTTLS is present")]
    [InlineData("250-mx.example.com|250-ENHANCEDSTATUSCODES|250 DSN", "long and short registered keywords")]
    [InlineData("250 mx.example.com", "a bare greeting")]
    [InlineData("", "an empty reply")]
    [InlineData("250-XXXXXXXA.example.com|250 SIZE", "the greeting line is never a keyword")]
    public void Inspect_Clean_ReturnsNull(string reply, string reason) =>
        StartTlsDowngrade.Inspect(reply.Split('|')).Should().BeNull(reason);
}
