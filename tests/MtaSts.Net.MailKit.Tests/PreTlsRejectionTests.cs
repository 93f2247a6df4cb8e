using System.Net.Sockets;
using System.Text;
using MtaSts.Demo;
using MtaSts.MailKit.Delivery;

namespace MtaSts.MailKit.Tests;

/// <summary>A 5xx before TLS comes from a peer that has proved nothing: the next MX is tried, nothing is bounced.</summary>
public sealed class PreTlsRejectionTests : DemoWorldTest
{
    // Under enforce, the preferred MX's address answers the clear-text greeting with 554 (a misconfigured host, or an
    // on-path attacker who cannot pass the certificate check). Nothing authenticated has been said yet, yet the
    // 5xx is classified PermanentRejection: the message is bounced and the healthy second MX is never tried.
    [Fact]
    public async Task Send_Enforce_PreTls554Greeting_NotAPermanentBounce()
    {
        World.PublishPolicy("bounce.test", "enforce", "*.bounce.test");
        World.Dns.SetMx("bounce.test", (10, "mx1.bounce.test"), (20, "mx2.bounce.test"));
        World.Dns.SetA("mx1.bounce.test", DemoWorld.Address(35));
        using var listener = new TcpListener(DemoWorld.Address(35), World.SmtpPort);
        listener.Start();
        using var stop = new CancellationTokenSource();
        var serving = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                using var client = await listener.AcceptTcpClientAsync(stop.Token);
                var stream = client.GetStream();
                await stream.WriteAsync(Encoding.ASCII.GetBytes("554 5.7.1 no service\r\n"), stop.Token);
                var buffer = new byte[512];
                try
                {
                    while (await stream.ReadAsync(buffer, stop.Token) > 0)
                    {
                        await stream.WriteAsync(Encoding.ASCII.GetBytes("554 5.7.1 no\r\n"), stop.Token);
                    }
                }
                catch (IOException)
                {
                    // the sender hung up
                }
            }
        });
        var second = await World.AddReceiverAsync("mx2.bounce.test", 36, World.Ca.IssueFor("mx2.bounce.test"));

        var result = await SendAsync("bounce.test");

        await stop.CancelAsync();
        listener.Stop();
        second.Messages.Should().ContainSingle("the healthy second MX is tried and takes the message");
        result.Status.Should().NotBe(MtaStsDeliveryStatus.Failed, $"a clear-text, unauthenticated 5xx must not bounce an enforce domain ({result.Reason}); attempts: {string.Join(" | ", result.Attempts.Select(a => $"{a.MxHost} {a.ErrorKind} {a.Error}"))}");
    }
}
