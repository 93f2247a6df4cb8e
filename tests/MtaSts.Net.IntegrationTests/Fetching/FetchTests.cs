using MtaSts.Testing;
using System.Diagnostics;
using System.Text;
using Microsoft.AspNetCore.Http;
using MtaSts.IntegrationTests.Infrastructure;

namespace MtaSts.IntegrationTests.Fetching;

/// <summary>HTTPS policy fetches against Kestrel on 127.0.0.1 with certificates from a test CA (FETCH-*).</summary>
public sealed class FetchTests : WorldTest
{
    private const string Host = "mta-sts.example.com";
    protected override void OnStarted()
    {
        World.Dns.SetTxt("_mta-sts.example.com", "v=STSv1; id=1");
    }

    [Fact]
    public async Task Fetch_Ok_SendsNoCacheAndUserAgent()
    {
        World.Https.ServePolicy(Host, TestWorld.EnforcePolicy);
        var state = await World.Enforcer().GetPolicyAsync("example.com");
        state.Policy!.Mode.Should().Be(MtaStsMode.Enforce);
        World.Https.Requests.Should().ContainSingle();
        var (host, headers) = World.Https.Requests.Single();
        host.Should().Be(Host, "FETCH-12 the SNI and Host are the policy host");
        headers["Cache-Control"].Should().Contain("no-cache", "FETCH-7");
        headers["User-Agent"].Should().StartWith("MtaSts.Net/");
    }

    [Theory]
    [InlineData("text/plain", "FETCH-8 bare media type")]
    [InlineData("TEXT/PLAIN; charset=US-ASCII", "FETCH-8 case-insensitive with parameter")]
    [InlineData("text/plain; charset=utf-8", "FETCH-8 utf-8 parameter")]
    [InlineData("text/plain; charset=iso-8859-1", "FETCH-8 other charset is ignored (A21): decoded as UTF-8")]
    public async Task Fetch_TextPlain_Accepted(string contentType, string reason)
    {
        World.Https.ServePolicy(Host, TestWorld.EnforcePolicy, contentType);
        (await World.Enforcer().GetPolicyAsync("example.com")).Policy.Should().NotBeNull(reason);
    }

    [Theory]
    [InlineData(404, "FETCH-5")]
    [InlineData(500, "FETCH-5")]
    [InlineData(204, "FETCH-5 only 200 is valid")]
    [InlineData(203, "FETCH-5 only 200 is valid")]
    public async Task Fetch_NotOk_IsFetchError(int status, string reason)
    {
        World.Https.Serve(Host, context =>
        {
            context.Response.StatusCode = status;
            context.Response.ContentType = "text/plain";
            return status == 204 ? Task.CompletedTask : context.Response.WriteAsync(TestWorld.EnforcePolicy);
        });
        var state = await World.Enforcer().GetPolicyAsync("example.com");
        AssertFailure(state, MtaStsFailureKind.PolicyFetchError, reason);
        state.DiscoveryFailure!.ReasonCode.Should().Be($"http-{status}");
    }

    [Theory]
    [InlineData(301)]
    [InlineData(302)]
    [InlineData(307)]
    [InlineData(308)]
    public async Task Fetch_Redirect_NotFollowed(int status)
    {
        World.Https.Serve(Host, context =>
        {
            context.Response.StatusCode = status;
            context.Response.Headers.Location = "https://elsewhere.example.com/.well-known/mta-sts.txt";
            return Task.CompletedTask;
        });
        World.Https.ServePolicy("elsewhere.example.com", TestWorld.EnforcePolicy);
        var state = await World.Enforcer().GetPolicyAsync("example.com");
        AssertFailure(state, MtaStsFailureKind.PolicyFetchError, "FETCH-6");
        state.DiscoveryFailure!.Detail.Should().Contain("redirects are not followed");
        World.Https.RequestCount("elsewhere.example.com").Should().Be(0, "FETCH-6 the redirect target is never requested");
    }

    [Theory]
    [InlineData("text/html")]
    [InlineData("application/octet-stream")]
    [InlineData("")]
    public async Task Fetch_WrongMediaType_IsPolicyInvalid(string contentType)
    {
        World.Https.Serve(Host, async context =>
        {
            if (contentType.Length > 0)
            {
                context.Response.ContentType = contentType;
            }

            await context.Response.Body.WriteAsync(Encoding.UTF8.GetBytes(TestWorld.EnforcePolicy));
        });
        var state = await World.Enforcer().GetPolicyAsync("example.com");
        AssertFailure(state, MtaStsFailureKind.PolicyInvalid, "FETCH-8, SEC-5");
        state.DiscoveryFailure!.ReasonCode.Should().Be("media-type");
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Fetch_BodyOneByteOverTheCap_IsTypedFailureNotTruncation(bool sendContentLength)
    {
        var body = Padded(64 * 1024 + 1);
        World.Https.Serve(Host, async context =>
        {
            context.Response.ContentType = "text/plain";
            if (sendContentLength)
            {
                context.Response.ContentLength = body.Length;
            }

            await context.Response.Body.WriteAsync(body);
        });
        var state = await World.Enforcer().GetPolicyAsync("example.com");
        AssertFailure(state, MtaStsFailureKind.PolicyFetchError, "FETCH-10");
        state.DiscoveryFailure!.ReasonCode.Should().Be("body-too-large");
    }

    [Fact]
    public async Task Fetch_BodyExactlyAtTheCap_Accepted()
    {
        var body = Padded(64 * 1024);
        World.Https.Serve(Host, async context =>
        {
            context.Response.ContentType = "text/plain";
            await context.Response.Body.WriteAsync(body);
        });
        var state = await World.Enforcer().GetPolicyAsync("example.com");
        state.Policy.Should().NotBeNull("FETCH-10 65,536 bytes is accepted: {0}", state);
        state.Policy!.Text.Length.Should().Be(64 * 1024);
    }

    [Fact]
    public async Task Fetch_TricklingBody_TimesOut()
    {
        World.Https.Serve(Host, async context =>
        {
            context.Response.ContentType = "text/plain";
            await context.Response.StartAsync();
            for (var i = 0; i < 60 && !context.RequestAborted.IsCancellationRequested; i++)
            {
                await context.Response.Body.WriteAsync("v"u8.ToArray());
                await context.Response.Body.FlushAsync();
                await Task.Delay(200, context.RequestAborted).ContinueWith(_ => { });
            }
        });
        var enforcer = World.RealTimeEnforcer(o => o.FetchTimeout = TimeSpan.FromSeconds(1.5));
        var watch = Stopwatch.StartNew();
        var state = await enforcer.GetPolicyAsync("example.com");
        watch.Stop();
        AssertFailure(state, MtaStsFailureKind.PolicyFetchError, "FETCH-9");
        state.DiscoveryFailure!.ReasonCode.Should().Be("timeout");
        watch.Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(8), "the total timeout bounds the fetch");
    }

    [Fact]
    public async Task Fetch_InvalidPolicyBody_IsPolicyInvalid()
    {
        World.Https.ServePolicy(Host, TestWorld.EnforcePolicy.Replace("enforce", "Enforce", StringComparison.Ordinal));
        var state = await World.Enforcer().GetPolicyAsync("example.com");
        AssertFailure(state, MtaStsFailureKind.PolicyInvalid, "POL-3, POL-18");
        state.DiscoveryFailure!.Detail.Should().Contain("POL-3");
    }

    [Fact]
    public async Task Fetch_InvalidUtf8_IsPolicyInvalid()
    {
        World.Https.Serve(Host, async context =>
        {
            context.Response.ContentType = "text/plain";
            await context.Response.Body.WriteAsync(Encoding.ASCII.GetBytes(TestWorld.EnforcePolicy).Concat(new byte[] { (byte)'x', (byte)':', (byte)' ', 0xC3, 0x28 }).ToArray());
        });
        var state = await World.Enforcer().GetPolicyAsync("example.com");
        AssertFailure(state, MtaStsFailureKind.PolicyInvalid, "FETCH-15");
        state.DiscoveryFailure!.ReasonCode.Should().Be("utf-8");
    }

    public static TheoryData<string, string> BadCertificates => new()
    {
        { "expired", "FETCH-2 expired" },
        { "wrong-host", "FETCH-2 SAN for another host" },
        { "untrusted", "FETCH-2 unknown CA" },
        { "cn-only", "FETCH-3 CN only, no SAN" },
        { "provider", "FETCH-14 the provider's name on a delegated customer's host" },
    };

    [Theory]
    [MemberData(nameof(BadCertificates))]
    public async Task Fetch_BadCertificate_IsWebPkiInvalid(string kind, string reason)
    {
        using var other = new TestCertificateAuthority("Unknown Root");
        var certificate = kind switch
        {
            "expired" => World.Ca.IssueExpired(Host),
            "wrong-host" => World.Ca.IssueFor("mx.example.com"),
            "untrusted" => other.IssueFor(Host),
            "cn-only" => World.Ca.IssueCommonNameOnly(Host),
            _ => World.Ca.IssueFor("mta-sts.provider.example"),
        };
        World.Https.ServePolicy(Host, TestWorld.EnforcePolicy, certificate: certificate);
        var state = await World.Enforcer().GetPolicyAsync("example.com");
        AssertFailure(state, MtaStsFailureKind.PolicyWebPkiInvalid, reason);
        state.DiscoveryFailure!.ResultType.Should().Be("sts-webpki-invalid", "RPT-2: a policy host certificate is never certificate-host-mismatch");
        World.Https.RequestCount(Host).Should().Be(0, "no request is sent over an unauthenticated connection");
    }

    [Fact]
    public async Task Fetch_ConnectionRefused_IsFetchError()
    {
        var state = await World.Enforcer(o => o.PolicyHostConnectCallback = async (_, ct) =>
        {
            var socket = new System.Net.Sockets.Socket(System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp);
            using var probe = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
            probe.Start();
            var port = ((System.Net.IPEndPoint)probe.LocalEndpoint).Port;
            probe.Stop();
            await socket.ConnectAsync(System.Net.IPAddress.Loopback, port, ct);
            return new System.Net.Sockets.NetworkStream(socket, true);
        }).GetPolicyAsync("example.com");
        AssertFailure(state, MtaStsFailureKind.PolicyFetchError, "FETCH-* transport failure");
    }

    // FLOW-8: a valid TXT record but no policy, nothing cached → deliver as without MTA-STS, and report.
    private static void AssertFailure(MtaStsPolicyState state, MtaStsFailureKind kind, string reason)
    {
        state.Policy.Should().BeNull(reason);
        state.DiscoveryFailure.Should().NotBeNull(reason);
        state.DiscoveryFailure!.Kind.Should().Be(kind, $"{reason}: {state.DiscoveryFailure}");
        state.IsDiscoveryFailureReportable.Should().BeTrue("RPT-1 a valid TXT record exists");
        var decision = state.EvaluateMx("mail.example.com");
        decision.Verdict.Should().Be(MtaStsVerdict.DeliverAndReport, "FLOW-8");
        decision.Failure.Should().BeSameAs(state.DiscoveryFailure);
    }

    private static byte[] Padded(int size)
    {
        var head = Encoding.ASCII.GetBytes(TestWorld.EnforcePolicy + "padding: ");
        var body = new byte[size];
        body.AsSpan().Fill((byte)'x');
        head.CopyTo(body, 0);
        return body;
    }
}
