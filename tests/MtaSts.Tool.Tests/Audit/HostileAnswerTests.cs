using MtaSts.Tool.Tests.Infrastructure;
using Microsoft.AspNetCore.Http;

namespace MtaSts.Tool.Tests.Audit;

public sealed class HostileAnswerTests : ToolWorldTest
{
    // A policy host that promises 1000 bytes and closes after 10: the body read throws HttpIOException (an IOException,
    // not an HttpRequestException), which PolicyHostProbe.FetchAsync does not catch.
    [Fact]
    public async Task Audit_PolicyHostCutsBodyShort_IsAFindingNotACrash()
    {
        await World.PublishCleanAsync();
        World.Https.Serve("mta-sts.example.com", async context =>
        {
            context.Response.ContentType = "text/plain";
            context.Response.ContentLength = 1000;
            await context.Response.Body.WriteAsync("version: "u8.ToArray());
            await context.Response.Body.FlushAsync();
            context.Abort();
        });

        var run = await World.RunAsync("audit", "example.com", "--json");

        run.Findings().Should().Contain(f => f.Code == "policy-fetch-failed");
    }
}

public sealed class ForgedDnsAnswerTests
{
    // A DNS server answering with the wrong transaction id: DnsClient throws DnsXidMismatchException (not a
    // DnsResponseException). The library's resolver catches it ("hostile answers surface as other exception types");
    // ToolDns.QueryAsync catches only DnsResponseException and ArgumentException.
    [Theory]
    [InlineData("audit")]
    [InlineData("check")]
    public async Task Tool_DnsAnswersWithWrongId_ReportsNotCrashes(string command)
    {
        await using var dns = new MtaSts.Testing.MismatchedIdDnsServer();
        var output = new StringWriter();
        var errors = new StringWriter();
        Exception? thrown = null;
        var code = -1;
        try
        {
            code = await ToolApp.RunAsync([command, "example.com", "--name-server", dns.EndPoint.ToString(), "--timeout", "1"], output, errors);
        }
        catch (Exception ex)
        {
            thrown = ex;
        }

        thrown.Should().BeNull(errors.ToString());
        code.Should().BeOneOf(0, 1);
    }
}
