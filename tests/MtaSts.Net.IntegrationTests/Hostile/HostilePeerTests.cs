using System.Diagnostics;
using System.Text;
using Microsoft.AspNetCore.Http;
using MtaSts.IntegrationTests.Infrastructure;
using MtaSts.Testing;

namespace MtaSts.IntegrationTests.Hostile;

/// <summary>
/// Hostile DNS and HTTPS peers on loopback: each must end in a typed failure within the configured limits — no crash,
/// no hang, bounded memory.
/// </summary>
public sealed class HostilePeerTests : WorldTest
{
    private const string Host = "mta-sts.example.com";
    private static readonly TimeSpan FetchTimeout = TimeSpan.FromSeconds(2);
    protected override void OnStarted()
    {
        World.Dns.SetTxt("_mta-sts.example.com", "v=STSv1; id=1");
    }

    [Fact]
    public async Task OneGigabyteBody_FailsAtTheCapWithBoundedMemory()
    {
        long written = 0;
        World.Https.Serve(Host, async context =>
        {
            context.Response.ContentType = "text/plain";
            var chunk = new byte[64 * 1024];
            chunk.AsSpan().Fill((byte)'x');
            for (var i = 0; i < 16_384 && !context.RequestAborted.IsCancellationRequested; i++) // 1 GiB at most
            {
                await context.Response.Body.WriteAsync(chunk, context.RequestAborted);
                Interlocked.Add(ref written, chunk.Length);
            }
        });
        var enforcer = World.RealTimeEnforcer(o => o.FetchTimeout = TimeSpan.FromSeconds(20));
        var allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);

        var state = await enforcer.GetPolicyAsync("example.com");

        var allocated = GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore;
        state.DiscoveryFailure!.ReasonCode.Should().Be("body-too-large", "FETCH-10");
        Interlocked.Read(ref written).Should().BeLessThan(64L * 1024 * 1024, "the client stopped reading long before 1 GB");
        allocated.Should().BeLessThan(32L * 1024 * 1024, "memory stays bounded (the server's own writes included)");
    }

    [Fact]
    public async Task OneBytePerSecond_FailsAtTheTotalTimeout()
    {
        World.Https.Serve(Host, async context =>
        {
            context.Response.ContentType = "text/plain";
            await context.Response.StartAsync();
            for (var i = 0; i < 30 && !context.RequestAborted.IsCancellationRequested; i++)
            {
                await context.Response.Body.WriteAsync("v"u8.ToArray());
                await context.Response.Body.FlushAsync();
                await Task.Delay(1000, context.RequestAborted).ContinueWith(_ => { });
            }
        });

        await AssertTimesOutAsync(World.RealTimeEnforcer(o => o.FetchTimeout = FetchTimeout));
    }

    [Fact]
    public async Task HeadersThatNeverEnd_FailAtTheTotalTimeout()
    {
        using var certificate = World.Ca.IssueFor(Host);
        await using var server = new RawTlsServer(certificate, async (stream, ct) =>
        {
            await RawTlsServer.ReadRequestHeadAsync(stream, ct);
            await stream.WriteAsync("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n"u8.ToArray(), ct);
            for (var i = 0; i < 200 && !ct.IsCancellationRequested; i++) // 10 s at most
            {
                await stream.WriteAsync(Encoding.ASCII.GetBytes($"X-Header-{i}: never-ending\r\n"), ct);
                await Task.Delay(50, ct);
            }
        });

        await AssertTimesOutAsync(World.RealTimeEnforcer(o =>
        {
            o.FetchTimeout = FetchTimeout;
            o.PolicyHostConnectCallback = server.ConnectCallback;
        }));
    }

    [Fact]
    public async Task TlsHandshakeThatNeverCompletes_FailsAtTheTotalTimeout()
    {
        await using var server = new RawTlsServer(null, async (_, ct) => await Task.Delay(TimeSpan.FromSeconds(10), ct));

        await AssertTimesOutAsync(World.RealTimeEnforcer(o =>
        {
            o.FetchTimeout = FetchTimeout;
            o.PolicyHostConnectCallback = server.ConnectCallback;
        }));
        server.Connections.Should().Be(1);
    }

    [Fact]
    public async Task RedirectLoop_OneRequestThenFetchError()
    {
        World.Https.Serve(Host, context =>
        {
            context.Response.StatusCode = StatusCodes.Status302Found;
            context.Response.Headers.Location = $"https://{Host}/.well-known/mta-sts.txt";
            return Task.CompletedTask;
        });

        var state = await World.Enforcer().GetPolicyAsync("example.com");

        state.DiscoveryFailure!.ReasonCode.Should().Be("http-302", "FETCH-6");
        World.Https.RequestCount(Host).Should().Be(1, "a redirect to itself is not followed even once");
    }

    [Fact]
    public async Task Http10WithoutContentLength_BodyEndsAtClose()
    {
        using var certificate = World.Ca.IssueFor(Host);
        await using var server = new RawTlsServer(certificate, async (stream, ct) =>
        {
            await RawTlsServer.ReadRequestHeadAsync(stream, ct);
            await stream.WriteAsync(Encoding.ASCII.GetBytes("HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\n" + TestWorld.EnforcePolicy), ct);
        });

        var state = await World.RealTimeEnforcer(o => o.PolicyHostConnectCallback = server.ConnectCallback).GetPolicyAsync("example.com");

        state.Policy.Should().NotBeNull($"a close-delimited body is a complete body: {state}");
    }

    [Fact]
    public async Task Http10WithoutContentLength_OversizedBodyStillCapped()
    {
        using var certificate = World.Ca.IssueFor(Host);
        await using var server = new RawTlsServer(certificate, async (stream, ct) =>
        {
            await RawTlsServer.ReadRequestHeadAsync(stream, ct);
            await stream.WriteAsync("HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\n"u8.ToArray(), ct);
            var chunk = new byte[16 * 1024];
            for (var i = 0; i < 64; i++) // 1 MiB
            {
                await stream.WriteAsync(chunk, ct);
            }
        });

        var state = await World.RealTimeEnforcer(o => o.PolicyHostConnectCallback = server.ConnectCallback).GetPolicyAsync("example.com");

        state.DiscoveryFailure!.ReasonCode.Should().Be("body-too-large");
    }

    [Fact]
    public async Task DnsResponseWithMismatchedId_TemporaryFailureWithinTimeout()
    {
        await using var dns = new MismatchedIdDnsServer();
        using var enforcer = MtaStsEnforcer.Create(World.Options(o =>
        {
            o.NameServers.Clear();
            o.NameServers.Add(dns.EndPoint);
            o.DnsTimeout = TimeSpan.FromMilliseconds(500);
        }));
        var watch = Stopwatch.StartNew();

        var state = await enforcer.GetPolicyAsync("example.com");

        state.IsFailClosed.Should().BeTrue("a forged answer is no answer");
        state.DiscoveryFailure!.ReasonCode.Should().Be("dns-error");
        dns.Queries.Should().BeGreaterThan(0);
        watch.Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task DnsRrsetOfHundredsOfRecords_SelectsTheOneStsRecord()
    {
        var records = Enumerable.Range(0, 300).Select(i => $"v=spf1 include:_spf{i}.example.com -all").Append("v=STSv1; id=many").ToArray();
        World.Dns.SetTxt("_mta-sts.example.com", records);
        World.Https.ServePolicy(Host, TestWorld.EnforcePolicy);

        (await World.Enforcer().GetPolicyAsync("example.com")).RecordId.Should().Be("many", "TXT-3 over TCP after truncation");
    }

    [Fact]
    public async Task DnsRrsetOfHundredsOfStsRecords_NoPolicy()
    {
        World.Dns.SetTxt("_mta-sts.example.com", [.. Enumerable.Range(0, 200).Select(i => $"v=STSv1; id=id{i}")]);
        var state = await World.Enforcer().GetPolicyAsync("example.com");
        state.Policy.Should().BeNull("TXT-3 more than one STSv1 record");
        state.DiscoveryFailure!.ReasonCode.Should().Be("txt-invalid");
    }

    [Fact]
    public async Task TenThousandConcurrentCallers_OneTxtQueryOneFetch()
    {
        World.Https.ServePolicy(Host, TestWorld.EnforcePolicy);
        World.Dns.SetDelay("_mta-sts.example.com", TimeSpan.FromMilliseconds(300));
        var enforcer = World.Enforcer();

        var states = await Task.WhenAll(Enumerable.Range(0, 10_000).Select(_ => enforcer.GetPolicyAsync("example.com").AsTask())).WaitAsync(TimeSpan.FromSeconds(60));

        states.Should().OnlyContain(s => s.RecordId == "1");
        World.Dns.Queries("_mta-sts.example.com").Should().Be(1);
        World.Https.RequestCount(Host).Should().Be(1);
    }

    private static async Task AssertTimesOutAsync(MtaStsEnforcer enforcer)
    {
        var watch = Stopwatch.StartNew();
        var state = await enforcer.GetPolicyAsync("example.com");
        watch.Stop();
        state.DiscoveryFailure!.Kind.Should().Be(MtaStsFailureKind.PolicyFetchError, state.ToString());
        state.DiscoveryFailure.ReasonCode.Should().Be("timeout", state.ToString());
        watch.Elapsed.Should().BeLessThan(FetchTimeout + TimeSpan.FromSeconds(3), "the total timeout bounds it");
    }
}
