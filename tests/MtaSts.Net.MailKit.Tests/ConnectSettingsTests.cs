using System.Net;
using System.Net.Sockets;
using System.Text;
using MailKit.Net.Proxy;
using MailKit.Net.Smtp;
using MtaSts.Demo;

namespace MtaSts.MailKit.Tests;

/// <summary>ConnectWithMtaStsAsync(host, port) connects as the client is configured to: local end point, timeout, proxy.</summary>
public sealed class ConnectSettingsTests : DemoWorldTest
{
    [Fact]
    public async Task Connect_LocalEndPointSet_ConnectsFromIt()
    {
        await using var mx = new ScriptedSmtpServer(new IPEndPoint(DemoWorld.Address(70), World.SmtpPort), World.Ca.IssueFor("mx.local.test"));
        var state = await Enforcer.GetPolicyAsync("local.test");
        using var client = new SmtpClient { LocalEndPoint = new IPEndPoint(DemoWorld.Address(71), 0) };

        var outcome = await client.ConnectWithMtaStsAsync(state, DemoWorld.Address(70).ToString(), World.SmtpPort);

        outcome.IsEncrypted.Should().BeTrue("no policy: opportunistic TLS");
        mx.Peers.Should().ContainSingle().Which.Should().BeOfType<IPEndPoint>()
            .Which.Address.Should().Be(DemoWorld.Address(71), "the socket is bound to the client's LocalEndPoint");
        await client.DisconnectAsync(true);
    }

    [Fact]
    public async Task Connect_HandshakeStallsBeyondTimeout_ThrowsTimeout()
    {
        await using var mx = new ScriptedSmtpServer(new IPEndPoint(DemoWorld.Address(72), World.SmtpPort), World.Ca.IssueFor("mx.stall.test"), StartTlsScript.Stall);
        var state = await Enforcer.GetPolicyAsync("stall.test");
        using var client = new SmtpClient { Timeout = 1000 };

        var act = () => client.ConnectWithMtaStsAsync(state, DemoWorld.Address(72).ToString(), World.SmtpPort);

        await act.Should().ThrowAsync<TimeoutException>("the client's Timeout bounds the greeting and the TLS upgrade");
        client.IsConnected.Should().BeFalse();
    }

    [Fact]
    public async Task Connect_ProxyClientSet_ConnectsThroughTheProxy()
    {
        await using var mx = new ScriptedSmtpServer(new IPEndPoint(DemoWorld.Address(73), World.SmtpPort), World.Ca.IssueFor("mx.proxied.test"));
        using var proxy = new ConnectProxy(DemoWorld.Address(74));
        var state = await Enforcer.GetPolicyAsync("proxied.test");
        using var client = new SmtpClient { ProxyClient = new HttpProxyClient(DemoWorld.Address(74).ToString(), proxy.Port) };

        var outcome = await client.ConnectWithMtaStsAsync(state, DemoWorld.Address(73).ToString(), World.SmtpPort);

        outcome.IsEncrypted.Should().BeTrue();
        proxy.Requests.Should().ContainSingle().Which.Should().StartWith($"CONNECT {DemoWorld.Address(73)}:{World.SmtpPort} ", "the proxy was asked for the MX");
        await client.DisconnectAsync(true);
    }

    /// <summary>A one-connection HTTP CONNECT proxy on loopback.</summary>
    private sealed class ConnectProxy : IDisposable
    {
        private readonly TcpListener _listener;
        private readonly CancellationTokenSource _stop = new();

        public ConnectProxy(IPAddress address)
        {
            _listener = new TcpListener(address, 0);
            _listener.Start();
            Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
            _ = ServeAsync(_stop.Token);
        }

        public int Port { get; }

        public List<string> Requests { get; } = [];

        public void Dispose()
        {
            _stop.Cancel();
            _listener.Stop();
            _stop.Dispose();
        }

        private async Task ServeAsync(CancellationToken stopping)
        {
            try
            {
                using var inbound = await _listener.AcceptTcpClientAsync(stopping);
                var stream = inbound.GetStream();
                var head = new StringBuilder();
                var one = new byte[1];
                while (!head.ToString().EndsWith("\r\n\r\n", StringComparison.Ordinal) && head.Length < 4096
                    && await stream.ReadAsync(one, stopping) == 1)
                {
                    head.Append((char)one[0]);
                }

                var request = head.ToString();
                lock (Requests)
                {
                    Requests.Add(request);
                }

                var target = request.Split(' ')[1];
                var colon = target.LastIndexOf(':');
                using var outbound = new TcpClient();
                await outbound.ConnectAsync(IPAddress.Parse(target[..colon]), int.Parse(target[(colon + 1)..], System.Globalization.CultureInfo.InvariantCulture), stopping);
                await stream.WriteAsync("HTTP/1.1 200 Connection established\r\n\r\n"u8.ToArray(), stopping);
                var upstream = outbound.GetStream();
                await Task.WhenAny(stream.CopyToAsync(upstream, stopping), upstream.CopyToAsync(stream, stopping));
            }
            catch (Exception ex) when (ex is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
            {
                // The test is over.
            }
        }
    }
}
