using System.Diagnostics;
using System.Text;
using MtaSts.IntegrationTests.Infrastructure;
using MtaSts.Testing;

namespace MtaSts.IntegrationTests.Fetching;

/// <summary>
/// A policy is fetched once per domain, so a pooled connection is never reused: a burst of fetches to thousands of
/// policy hosts must not leave one idle TLS connection (a file descriptor) per host behind.
/// </summary>
public sealed class FetchConnectionTests : WorldTest
{
    private const string Host = "mta-sts.example.com";

    protected override void OnStarted() => World.Dns.SetTxt("_mta-sts.example.com", "v=STSv1; id=1");

    [Fact]
    public async Task Fetch_Done_ConnectionClosedAtOnce()
    {
        var closed = new TaskCompletionSource<TimeSpan>(TaskCreationOptions.RunContinuationsAsynchronously);
        var answered = Stopwatch.StartNew();
        string? connectionHeader = null;
        using var certificate = World.Ca.IssueFor(Host);
        await using var server = new RawTlsServer(certificate, async (stream, ct) =>
        {
            var head = await ReadHeadAsync(stream, ct);
            connectionHeader = head.Split("\r\n").FirstOrDefault(l => l.StartsWith("Connection:", StringComparison.OrdinalIgnoreCase));
            var body = Encoding.ASCII.GetBytes(TestWorld.EnforcePolicy);
            // A keep-alive answer that ignores the request's Connection: close: whether the connection stays open is up to the client.
            await stream.WriteAsync(Encoding.ASCII.GetBytes($"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: {body.Length}\r\n\r\n"), ct);
            await stream.WriteAsync(body, ct);
            answered.Restart();
            try
            {
                while (await stream.ReadAsync(new byte[1], ct) > 0)
                {
                }
            }
            catch (Exception ex) when (ex is IOException or System.Security.Authentication.AuthenticationException)
            {
                // A reset is a close too.
            }

            closed.TrySetResult(answered.Elapsed);
        });

        var state = await World.RealTimeEnforcer(o => o.PolicyHostConnectCallback = server.ConnectCallback).GetPolicyAsync("example.com");

        state.Policy.Should().NotBeNull(state.ToString());
        var after = await closed.Task.WaitAsync(TimeSpan.FromSeconds(15)).ContinueWith(t => t.IsCompletedSuccessfully ? t.Result : (TimeSpan?)null);
        after.Should().NotBeNull("the client closes the connection after the fetch instead of pooling it (default idle timeout: 60 s)");
        after!.Value.Should().BeLessThan(TimeSpan.FromSeconds(15), "well before a pooled connection's idle timeout");
        connectionHeader.Should().NotBeNull().And.Contain("close", "the request says so too");
    }

    private static async Task<string> ReadHeadAsync(Stream stream, CancellationToken cancellationToken)
    {
        var buffer = new byte[16 * 1024];
        var total = 0;
        while (total < buffer.Length && buffer.AsSpan(0, total).IndexOf("\r\n\r\n"u8) < 0)
        {
            var read = await stream.ReadAsync(buffer.AsMemory(total), cancellationToken);
            if (read == 0)
            {
                break;
            }

            total += read;
        }

        return Encoding.ASCII.GetString(buffer, 0, total);
    }
}
