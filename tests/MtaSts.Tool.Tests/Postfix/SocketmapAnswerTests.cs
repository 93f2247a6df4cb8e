using ARSoft.Tools.Net.Dns;
using MtaSts.Testing;
using MtaSts.Tool.Tests.Infrastructure;

namespace MtaSts.Tool.Tests.Postfix;

/// <summary>The answer for each policy shape, discovered over the loopback world's DNS and HTTPS.</summary>
public sealed class SocketmapAnswerTests : ToolWorldTest
{
    private static string Policy(string mode, params string[] mx) =>
        $"version: STSv1\r\nmode: {mode}\r\n{string.Concat(mx.Select(m => $"mx: {m}\r\n"))}max_age: 86400\r\n";

    [Theory]
    [InlineData("enforce", "postfix", "OK secure match=mail.shape.test:.mx.shape.test servername=hostname")]    // MX-3: *. → .
    [InlineData("testing", "postfix", "NOTFOUND ")]                                                              // RFC 8461 §5: testing never blocks
    [InlineData("testing", "strict", "OK secure match=mail.shape.test:.mx.shape.test servername=hostname")]     // strict testing zone
    [InlineData("none", "strict", "NOTFOUND ")]                                                                 // mode none
    [InlineData("enforce", "nosni", "OK secure match=mail.shape.test:.mx.shape.test")]                          // RequireSni off
    public async Task Lookup_PolicyMode_AnswersAsPostfixExpects(string mode, string map, string expected)
    {
        World.PublishPolicy("shape.test", "1", Policy(mode, "mail.shape.test", "*.mx.shape.test"));
        await using var daemon = await RunningDaemon.StartAsync(World, "--Postfix:Zones:postfix:StrictTesting=false",
            "--Postfix:Zones:strict:StrictTesting=true", "--Postfix:Zones:nosni:RequireSni=false");

        (await daemon.QueryAsync("shape.test", map)).Should().Be(expected);
        (await daemon.QueryAsync("SHAPE.test", map)).Should().Be(expected, "keys are case-insensitive");
    }

    [Theory]
    [InlineData("nopolicy.test")]            // no TXT record (NXDOMAIN)
    [InlineData("[127.0.0.9]")]              // a bracketed address next hop
    [InlineData("example.com:2525")]         // host:port
    [InlineData("[mail.example.com]:25")]    // bracketed host and port
    [InlineData(".example.com")]             // parent-domain form
    public async Task Lookup_NoPolicyOrNotADomain_IsNotFound(string key)
    {
        await World.PublishCleanAsync();
        await using var daemon = await RunningDaemon.StartAsync(World);

        (await daemon.QueryAsync(key)).Should().Be("NOTFOUND ");
        World.Https.RequestCount("mta-sts.example.com").Should().Be(0, "a next hop that is not a bare domain never triggers a policy fetch");
    }

    [Fact]
    public async Task Lookup_DnsServerFailureNothingCached_IsTemp()
    {
        World.Dns.SetReturnCode("_mta-sts.broken.test", ReturnCode.ServerFailure);
        await using var daemon = await RunningDaemon.StartAsync(World);

        (await daemon.QueryAsync("broken.test")).Should().StartWith("TEMP ", "the library fails closed on a temporary DNS failure with nothing cached (FLOW-3)");
    }

    [Fact]
    public async Task Lookup_DnsFailureUnderProceed_IsNotFound()
    {
        World.Dns.SetReturnCode("_mta-sts.broken.test", ReturnCode.ServerFailure);
        await using var daemon = await RunningDaemon.StartAsync(World, "--MtaSts:DnsFailureBehavior=Proceed");

        (await daemon.QueryAsync("broken.test")).Should().Be("NOTFOUND ", "the library's configured behaviour is followed");
    }

    [Fact]
    public async Task Lookup_SlowerThanZoneTimeout_IsTempThenAnswered()
    {
        World.PublishPolicy("slow.test", "1", Policy("enforce", "mail.slow.test"));
        World.Dns.SetDelay("_mta-sts.slow.test", TimeSpan.FromSeconds(1));
        await using var daemon = await RunningDaemon.StartAsync(World, "--Postfix:Zones:postfix:Timeout=0.2");

        (await daemon.QueryAsync("slow.test")).Should().StartWith("TEMP ", "the zone timeout bounds each lookup");
        string? later = null;
        for (var i = 0; i < 50 && later?.StartsWith("OK", StringComparison.Ordinal) != true; i++)
        {
            await Task.Delay(200);
            later = await daemon.QueryAsync("slow.test");
        }

        later.Should().Be("OK secure match=mail.slow.test servername=hostname", "the lookup went on in the background");
    }

    [Fact]
    public async Task Lookup_TlsRptZone_AddsPostfixTlsRptAttributes()
    {
        await World.PublishCleanAsync();
        await using var daemon = await RunningDaemon.StartAsync(World, "--Postfix:Zones:postfix:TlsRpt=true");

        (await daemon.QueryAsync("example.com")).Should().Be(
            "OK secure match=mail.example.com servername=hostname policy_type=sts policy_domain=example.com policy_ttl=604800"
            + " mx_host_pattern=mail.example.com { policy_string = version: STSv1 } { policy_string = mode: enforce }"
            + " { policy_string = mx: mail.example.com } { policy_string = max_age: 604800 }");
    }

    [Fact]
    public async Task Lookup_Cached_IsAnsweredWithoutDnsOrFetch()
    {
        await World.PublishCleanAsync();
        await using var daemon = await RunningDaemon.StartAsync(World);
        var first = await daemon.QueryAsync("example.com");
        var queries = World.Dns.Queries("_mta-sts.example.com");

        for (var i = 0; i < 20; i++)
        {
            (await daemon.QueryAsync("example.com")).Should().Be(first);
        }

        World.Dns.Queries("_mta-sts.example.com").Should().Be(queries, "the TXT TTL has not passed (FLOW-15)");
        World.Https.RequestCount("mta-sts.example.com").Should().Be(1);
    }

    [Fact]
    public async Task Lookup_HundredConcurrentForOneColdDomain_OneTxtQueryAndOneFetch()
    {
        World.PublishPolicy("cold.test", "1", Policy("enforce", "mail.cold.test"));
        World.Dns.SetDelay("_mta-sts.cold.test", TimeSpan.FromMilliseconds(300)); // all 100 arrive while the first is in flight
        await using var daemon = await RunningDaemon.StartAsync(World);
        var clients = await Task.WhenAll(Enumerable.Range(0, 100).Select(_ => daemon.ConnectAsync()));

        var replies = await Task.WhenAll(clients.Select(c => c.QueryAsync("postfix", "cold.test")));

        replies.Should().AllBe("OK secure match=mail.cold.test servername=hostname");
        World.Dns.Queries("_mta-sts.cold.test").Should().Be(1, "concurrent lookups of one domain share one discovery");
        World.Https.RequestCount("mta-sts.cold.test").Should().Be(1);
        foreach (var client in clients)
        {
            client.Dispose();
        }
    }

    [Fact]
    public async Task Lookup_SharedRedisStore_SecondDaemonDoesNotFetch()
    {
        using var redis = await LoopbackRedisServer.StartAsync();
        await World.PublishCleanAsync();

        // A generous store timeout: on a loaded machine a daemon's first Redis connection can take longer than the
        // default second, and a store that does not answer in time is treated as unknown (the policy is fetched again).
        const string StoreTimeout = "--MtaSts:StoreTimeout=00:00:20";
        await using (var first = await RunningDaemon.StartAsync(World, $"--Postfix:Redis={redis.Configuration}", StoreTimeout))
        {
            (await first.QueryAsync("example.com")).Should().Be("OK secure match=mail.example.com servername=hostname");
        }

        await using var second = await RunningDaemon.StartAsync(World, $"--Postfix:Redis={redis.Configuration}", StoreTimeout);
        var reply = await second.QueryAsync("example.com");

        reply.Should().Be("OK secure match=mail.example.com servername=hostname");
        World.Https.RequestCount("mta-sts.example.com").Should().Be(1, "the second daemon found the policy in Redis (TXT id unchanged)");
    }
}
