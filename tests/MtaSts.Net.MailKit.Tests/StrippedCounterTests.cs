using System.Net.Sockets;
using MailKit.Net.Smtp;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.DependencyInjection;
using MtaSts.Demo;

namespace MtaSts.MailKit.Tests;

/// <summary>
/// The stripped-STARTTLS counter carries bounded tags only: one time series per MX host would grow without bound
/// (the MX host goes to the log and the trace instead). Not run in parallel: a collector listening by meter name binds
/// to the first matching instrument, which may belong to another test's enforcer that is disposed mid-test.
/// </summary>
[Collection(nameof(StrippedCounterTests))]
public sealed class StrippedCounterTests : DemoWorldTest
{
    private static readonly string[] BoundedTags = ["mtasts.mode", "mtasts.verdict"];
    private IMtaStsEnforcer? _enforcer;

    [Fact]
    public async Task Counter_StrippedSessions_TaggedByModeAndVerdictOnly()
    {
        // The enforcer's meter comes from this container's IMeterFactory, so the collector sees this test's measurements
        // only (a collector on the bare meter name also sees, and is ended by, other tests' enforcers).
        var services = new ServiceCollection().AddMetrics();
        AddWorld(services, mailKit: false);
        await using var provider = services.BuildServiceProvider();
        _enforcer = provider.GetRequiredService<IMtaStsEnforcer>();
        using var collector = new MetricCollector<long>(provider.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>(), MtaStsInstrumentation.MeterName, "mtasts.starttls.stripped");
        var testing = await StrippedAsync("stripcount.test", "testing", 58, 59);
        var enforce = await StrippedAsync("stripcount2.test", "enforce", 60, 61);

        using (var client = new SmtpClient())
        {
            (await client.ConnectWithMtaStsAsync(testing, "mx.stripcount.test", await ConnectedSocketAsync(59), World.SmtpPort, default))
                .DowngradeEvidence.Should().NotBeNull("the proxy rewrote STARTTLS, so the session carries the evidence");
        }

        using (var client = new SmtpClient())
        {
            var act = async () => await client.ConnectWithMtaStsAsync(enforce, "mx.stripcount2.test", await ConnectedSocketAsync(61), World.SmtpPort, default);
            await act.Should().ThrowAsync<MtaStsDeliveryRefusedException>();
        }

        var measurements = collector.GetMeasurementSnapshot();
        measurements.Should().NotBeEmpty();
        measurements.Should().OnlyContain(m => m.Tags.Keys.All(BoundedTags.Contains), "no server.address or other per-host tag");
        measurements.Select(m => (m.Tags["mtasts.mode"], m.Tags["mtasts.verdict"])).Should()
            .Contain(("testing", "deliver_and_report")).And.Contain(("enforce", "fail_closed"));
    }

    private async Task<MtaStsPolicyState> StrippedAsync(string domain, string mode, int receiverAt, int proxyAt)
    {
        World.PublishPolicy(domain, mode, $"mx.{domain}");
        var receiver = await World.AddReceiverAsync($"real.{domain}", receiverAt, World.Ca.IssueFor($"mx.{domain}"));
        World.AddStrippingProxy($"mx.{domain}", proxyAt, receiver);
        return await _enforcer!.GetPolicyAsync(domain);
    }

    private async Task<Socket> ConnectedSocketAsync(int last)
    {
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(DemoWorld.Address(last), World.SmtpPort);
        return socket;
    }
}

/// <summary>Runs <see cref="StrippedCounterTests"/> alone.</summary>
[CollectionDefinition(nameof(StrippedCounterTests), DisableParallelization = true)]
public sealed class StrippedCounterSerialRun;
