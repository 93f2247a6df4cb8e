using System.Net;
using System.Net.Sockets;
using System.Text;
using MtaSts.Tool.Tests.Infrastructure;

namespace MtaSts.Tool.Tests.Audit;

/// <summary>MX hosts and policy hosts that misbehave end in typed findings within the timeout, never a hang.</summary>
public sealed class HostilePeerTests : ToolWorldTest
{
    [Theory]
    [InlineData("silent", "no answer to the greeting within 1 s")]   // accepts, never greets
    [InlineData("endless", "longer than 1000 octets")]               // one line without end
    [InlineData("garbage", "not an SMTP reply")]
    public async Task Audit_MisbehavingMx_MxUnreachableWithinTheTimeout(string behaviour, string detail)
    {
        var address = World.NextAddress();
        using var listener = new TcpListener(address, World.SmtpPort);
        listener.Start();
        using var stop = new CancellationTokenSource();
        var serving = ServeAsync(listener, behaviour, stop.Token);
        await World.PublishCleanAsync();
        World.Dns.SetA("mail.example.com", address);

        var started = DateTime.UtcNow;
        var run = await World.RunAsync("audit", "example.com", "--json", "--timeout", "1");

        (DateTime.UtcNow - started).Should().BeLessThan(TimeSpan.FromSeconds(10));
        run.Findings().Should().ContainSingle(f => f.Code == "mx-unreachable").Which.Detail.Should().Contain(detail);
        await stop.CancelAsync();
        listener.Stop();
        await serving.ContinueWith(_ => { }, TaskScheduler.Default);
    }

    [Fact]
    public async Task Audit_SlowPolicyHost_ProgressOnStderrOnly()
    {
        await World.PublishCleanAsync();
        World.Https.Serve("mta-sts.example.com", async context =>
        {
            await Task.Delay(TimeSpan.FromSeconds(1.6));
            context.Response.ContentType = "text/plain";
            await Microsoft.AspNetCore.Http.HttpResponseWritingExtensions.WriteAsync(context.Response, ToolWorld.CleanPolicy());
        });

        var run = await World.RunAsync("audit", "example.com", "--json");

        run.Code.Should().Be(0, run.Stdout);
        run.Stderr.Should().Contain("... fetching https://mta-sts.example.com/.well-known/mta-sts.txt");
        run.Json().GetProperty("findings").GetArrayLength().Should().Be(0, "stdout stays one JSON document");
    }

    private static async Task ServeAsync(TcpListener listener, string behaviour, CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            var client = await listener.AcceptTcpClientAsync(cancellationToken);
            _ = Task.Run(
                async () =>
                {
                    using (client)
                    {
                        var stream = client.GetStream();
                        if (behaviour == "endless")
                        {
                            var chunk = Encoding.ASCII.GetBytes(new string('2', 512));
                            for (var i = 0; i < 100 && !cancellationToken.IsCancellationRequested; i++)
                            {
                                await stream.WriteAsync(chunk, cancellationToken);
                            }
                        }
                        else if (behaviour == "garbage")
                        {
                            await stream.WriteAsync(Encoding.ASCII.GetBytes("HTTP/1.1 400 Bad Request\r\n"), cancellationToken);
                        }

                        await Task.Delay(Timeout.Infinite, cancellationToken);
                    }
                },
                CancellationToken.None);
        }
    }
}
