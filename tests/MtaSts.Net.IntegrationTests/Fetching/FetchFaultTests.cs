using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using MtaSts.DependencyInjection;
using MtaSts.IntegrationTests.Infrastructure;
using MtaSts.Testing;

namespace MtaSts.IntegrationTests.Fetching;

/// <summary>
/// Fault injection at each stage of a policy fetch, against real sockets on loopback: every I/O, TLS and protocol
/// failure must come out of the public enforcer as a typed fetch failure (FLOW-8: deliver as without MTA-STS and
/// report, with the FETCH-11 back-off), never as <c>internal-error</c>, and within the fetch timeout (FETCH-9).
/// </summary>
public sealed class FetchFaultTests : WorldTest
{
    private const string Host = "mta-sts.example.com";
    private const string FetchError = "sts-policy-fetch-error";
    private static readonly TimeSpan FetchTimeout = TimeSpan.FromSeconds(1);
    private static readonly byte[] TlsAlertHandshakeFailure = [0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 0x28];
    private static readonly string Body30 = TestWorld.EnforcePolicy[..30];

    protected override void OnStarted() => World.Dns.SetTxt("_mta-sts.example.com", "v=STSv1; id=1");

    public static TheoryData<string, string> Faults => new()
    {
        { "refused", "nothing listens on the port" },
        { "reset-in-handshake", "RST after the ClientHello" },
        { "close-in-handshake", "FIN after the ClientHello" },
        { "tls-alert", "a fatal handshake_failure alert instead of a ServerHello" },
        { "plain-http", "an HTTP answer where the TLS handshake was expected" },
        { "reset-before-headers", "RST after the TLS handshake, before any byte of the answer" },
        { "reset-in-headers", "RST in the middle of the header block" },
        { "close-in-headers", "FIN in the middle of the header block" },
        { "malformed-status", "a status code that is not a number" },
        { "not-http", "a status line that is not HTTP at all" },
        { "malformed-header", "a header line without a colon" },
        { "bad-content-length", "a Content-Length that is not a number" },
        { "conflicting-content-length", "two different Content-Length headers" },
        { "huge-headers", "a header block over the 64 KiB limit" },
        { "switching-protocols", "101 Switching Protocols instead of an answer" },
        { "reset-mid-body", "Content-Length: 400, then RST after 30 bytes" },
        { "short-body", "Content-Length: 400, then an orderly close after 30 bytes (HttpIOException)" },
        { "chunk-cut", "chunked: a chunk of 0x190 bytes cut after 30" },
        { "chunk-reset", "chunked: RST in the middle of a chunk" },
        { "chunk-bad-size", "chunked: a chunk size that is not hexadecimal" },
        { "stall-before-tls", "the connection opens and nothing is ever said" },
        { "stall-before-headers", "the TLS handshake completes and no answer follows" },
        { "stall-in-headers", "half a header block, then silence" },
        { "stall-mid-body", "Content-Length: 400, 30 bytes, then silence" },
        { "stall-mid-chunk", "chunked: 30 bytes of a 0x190-byte chunk, then silence" },
    };

    [Theory]
    [MemberData(nameof(Faults))]
    public async Task Fetch_PeerFault_IsTypedFetchFailureAndDeliversAndReports(string fault, string reason)
    {
        await using var server = Server(fault);
        var connections = 0;
        var enforcer = World.RealTimeEnforcer(o =>
        {
            o.FetchTimeout = FetchTimeout;
            o.PolicyHostConnectCallback = async (context, ct) =>
            {
                Interlocked.Increment(ref connections);
                return server is null ? await ConnectToClosedPortAsync(ct) : await server.ConnectCallback(context, ct);
            };
        });
        var watch = Stopwatch.StartNew();

        var state = await enforcer.GetPolicyAsync("example.com");

        watch.Stop();
        state.Policy.Should().BeNull(reason);
        state.DiscoveryFailure.Should().NotBeNull(reason);
        state.DiscoveryFailure!.ResultType.Should().Be(FetchError, $"{fault}: {reason}: {state.DiscoveryFailure}");
        state.DiscoveryFailure.ReasonCode.Should().NotBe("internal-error", $"{fault}: {state.DiscoveryFailure}");
        state.IsFailClosed.Should().BeFalse("FLOW-8 a fetch failure never blocks delivery without a cached policy");
        state.EvaluateMx("mail.example.com").Verdict.Should().Be(MtaStsVerdict.DeliverAndReport, "FLOW-8");
        watch.Elapsed.Should().BeLessThan(FetchTimeout + TimeSpan.FromSeconds(4), "FETCH-9 the fetch timeout bounds every stage");
        connections.Should().BeGreaterThan(0);

        var before = Volatile.Read(ref connections);
        var again = await enforcer.GetPolicyAsync("example.com");
        again.DiscoveryFailure!.ResultType.Should().Be(FetchError);
        Volatile.Read(ref connections).Should().Be(before, "FETCH-11 the failed fetch is backed off, not retried at once");
    }

    [Theory]
    [InlineData("short-body")]
    [InlineData("chunk-cut")]
    [InlineData("reset-before-headers")]
    [InlineData("tls-alert")]
    [InlineData("stall-mid-body")]
    public async Task Fetch_PeerFaultThroughDependencyInjection_IsTypedFetchFailure(string fault)
    {
        // The DI client adds a Polly retry pipeline around the same handler; nothing may escape it either.
        await using var server = Server(fault);
        await using var services = new ServiceCollection().AddMtaSts(o =>
        {
            o.NameServers.Add(World.Dns.EndPoint);
            o.DnsRetries = 0;
            o.PolicyHostTrustedRoots = World.Ca.TrustStore;
            o.PolicyHostConnectCallback = server!.ConnectCallback;
            o.FetchTimeout = TimeSpan.FromSeconds(2);
        }).Services.BuildServiceProvider();

        var state = await services.GetRequiredService<IMtaStsEnforcer>().GetPolicyAsync("example.com");

        state.DiscoveryFailure!.ResultType.Should().Be(FetchError, $"{fault}: {state}");
        state.DiscoveryFailure.ReasonCode.Should().NotBe("internal-error");
        state.EvaluateMx("mail.example.com").Verdict.Should().Be(MtaStsVerdict.DeliverAndReport, "FLOW-8");
    }

    [Theory]
    [InlineData("text/plain; charset=\"unterminated", "a quoted parameter that never ends")]
    [InlineData("text/plain;;;==", "a parameter list of separators")]
    [InlineData("text/plain, text/html", "two media types in one header")]
    [InlineData("\u00ff/\u00ff", "non-ASCII bytes in the media type")]
    public async Task Fetch_MalformedContentType_IsTypedFailure(string contentType, string reason)
    {
        await using var server = Respond($"HTTP/1.1 200 OK\r\nContent-Type: {contentType}\r\nContent-Length: {TestWorld.EnforcePolicy.Length}\r\n\r\n{TestWorld.EnforcePolicy}");

        var state = await World.RealTimeEnforcer(o => o.PolicyHostConnectCallback = server.ConnectCallback).GetPolicyAsync("example.com");

        // FETCH-8: either read as text/plain or refused as another media type; never an exception.
        state.DiscoveryFailure?.ReasonCode.Should().NotBe("internal-error", $"{reason}: {state}");
        state.IsFailClosed.Should().BeFalse(reason);
        state.EvaluateMx("mail.example.com").Verdict.Should().NotBe(MtaStsVerdict.FailClosed, reason);
    }

    private RawTlsServer? Server(string fault)
    {
        var head = "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n";
        return fault switch
        {
            "refused" => null,
            "reset-in-handshake" => Plain(ReadClientHelloAsync, reset: true),
            "close-in-handshake" => Plain(ReadClientHelloAsync, reset: false),
            "tls-alert" => Plain(async (s, ct) =>
            {
                await ReadClientHelloAsync(s, ct);
                await s.WriteAsync(TlsAlertHandshakeFailure, ct);
            }, reset: false),
            "plain-http" => Plain(async (s, ct) =>
            {
                await ReadClientHelloAsync(s, ct);
                await s.WriteAsync(Encoding.ASCII.GetBytes($"{head}Content-Length: 0\r\n\r\n"), ct);
            }, reset: false),
            "reset-before-headers" => Respond(string.Empty, reset: true),
            "reset-in-headers" => Respond(head + "X-Cut: hal", reset: true),
            "close-in-headers" => Respond(head + "X-Cut: hal"),
            "malformed-status" => Respond("HTTP/1.1 2OO OK\r\nContent-Type: text/plain\r\nContent-Length: 0\r\n\r\n"),
            "not-http" => Respond("220 mx.example.com ESMTP ready\r\n\r\n"),
            "malformed-header" => Respond("HTTP/1.1 200 OK\r\nContent-Type text/plain\r\nContent-Length: 0\r\n\r\n"),
            "bad-content-length" => Respond($"{head}Content-Length: four hundred\r\n\r\n{Body30}"),
            "conflicting-content-length" => Respond($"{head}Content-Length: 30\r\nContent-Length: 400\r\n\r\n{Body30}"),
            "huge-headers" => Respond($"{head}X-Big: {new string('x', 70 * 1024)}\r\nContent-Length: 0\r\n\r\n"),
            "switching-protocols" => Respond("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n"),
            "reset-mid-body" => Respond($"{head}Content-Length: 400\r\n\r\n{Body30}", reset: true),
            "short-body" => Respond($"{head}Content-Length: 400\r\n\r\n{Body30}"),
            "chunk-cut" => Respond($"{head}Transfer-Encoding: chunked\r\n\r\n190\r\n{Body30}"),
            "chunk-reset" => Respond($"{head}Transfer-Encoding: chunked\r\n\r\n190\r\n{Body30}", reset: true),
            "chunk-bad-size" => Respond($"{head}Transfer-Encoding: chunked\r\n\r\nzz\r\n{Body30}\r\n0\r\n\r\n"),
            "stall-before-tls" => Plain(StallAsync, reset: false),
            "stall-before-headers" => Respond(string.Empty, stall: true),
            "stall-in-headers" => Respond(head + "X-Cut: hal", stall: true),
            "stall-mid-body" => Respond($"{head}Content-Length: 400\r\n\r\n{Body30}", stall: true),
            "stall-mid-chunk" => Respond($"{head}Transfer-Encoding: chunked\r\n\r\n190\r\n{Body30}", stall: true),
            _ => throw new ArgumentOutOfRangeException(nameof(fault), fault, null),
        };
    }

    /// <summary>A TLS peer for <see cref="Host"/> that reads the request, writes <paramref name="answer"/>, then closes, resets or stalls.</summary>
    private RawTlsServer Respond(string answer, bool reset = false, bool stall = false) =>
        new(World.Ca.IssueFor(Host), async (stream, ct) =>
        {
            await RawTlsServer.ReadRequestHeadAsync(stream, ct);
            await stream.WriteAsync(Encoding.UTF8.GetBytes(answer), ct);
            await stream.FlushAsync(ct);
            if (stall)
            {
                await StallAsync(stream, ct);
            }
        }, reset);

    private static RawTlsServer Plain(Func<Stream, CancellationToken, Task> handler, bool reset) => new(null, handler, reset);

    private static async Task ReadClientHelloAsync(Stream stream, CancellationToken cancellationToken)
    {
        var buffer = new byte[5];
        await stream.ReadExactlyAsync(buffer, cancellationToken); // the record header is enough to know a ClientHello came
    }

    private static Task StallAsync(Stream stream, CancellationToken cancellationToken) => Task.Delay(Timeout.Infinite, cancellationToken);

    private static async ValueTask<Stream> ConnectToClosedPortAsync(CancellationToken cancellationToken)
    {
        int port;
        using (var probe = new TcpListener(IPAddress.Loopback, 0))
        {
            probe.Start();
            port = ((IPEndPoint)probe.LocalEndpoint).Port;
        }

        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
        try
        {
            await socket.ConnectAsync(IPAddress.Loopback, port, cancellationToken);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }
}
