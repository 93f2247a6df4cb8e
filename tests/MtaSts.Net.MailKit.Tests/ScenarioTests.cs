using System.Diagnostics.Metrics;
using System.Text;
using MimeKit;
using MtaSts.Demo;
using MtaSts.MailKit.Delivery;
using MtaSts.Testing;

namespace MtaSts.MailKit.Tests;

/// <summary>
/// The demo's scenarios as tests: MailKit against real SMTP servers with STARTTLS on loopback, asserting what the
/// receiver actually got and whether the session was encrypted.
/// </summary>
public sealed class ScenarioTests : DemoWorldTest
{
    [Fact]
    public async Task Enforce_HonestNetwork_DeliveredOverVerifiedTls()
    {
        var (result, receiver) = await RunAsync(1);

        result.Status.Should().Be(MtaStsDeliveryStatus.Delivered);
        var via = result.DeliveredVia!;
        via.IsEncrypted.Should().BeTrue();
        via.StartTlsOffered.Should().BeTrue();
        via.TlsProtocol.Should().BeOneOf(System.Security.Authentication.SslProtocols.Tls12, System.Security.Authentication.SslProtocols.Tls13);
        via.CipherSuite!.Value.Should().NotBe(default(System.Net.Security.TlsCipherSuite), "a real cipher suite was negotiated");
        via.CertificateSubject.Should().Be("CN=mx.honest.test");
        via.Decision.Verdict.Should().Be(MtaStsVerdict.Deliver);
        receiver.Messages.Should().ContainSingle().Which.OverTls.Should().BeTrue("the receiver saw the message inside TLS");
        Encoding.ASCII.GetString(receiver.Messages.Single().Data).Should().Contain("Confidential");
    }

    [Fact]
    public async Task Enforce_StartTlsStripped_RefusedNothingInPlaintextAttackDetected()
    {
        var stripped = new List<string?>();
        using var listener = ListenForStrippedSessions(stripped);

        var (result, receiver) = await RunAsync(2);

        result.Status.Should().Be(MtaStsDeliveryStatus.Deferred, "FLOW-7 an enforce failure is temporary");
        receiver.Messages.Should().BeEmpty("nothing reaches the receiver in plaintext");
        World.Proxies["mx.stripped.test"].Rewrites.Should().BeGreaterThan(0, "the attacker did rewrite the EHLO reply");
        var attempt = result.Attempts.Should().ContainSingle().Subject;
        attempt.Decision!.Value.Verdict.Should().Be(MtaStsVerdict.FailClosed);
        attempt.Decision!.Value.Failure!.ResultType.Should().Be("starttls-not-supported");
        attempt.Decision!.Value.Failure.ReasonCode.Should().Be("starttls-likely-stripped");
        attempt.Decision!.Value.Failure.Detail.Should().Contain("XXXXXXXA");
        attempt.Outcome!.DowngradeEvidence.Should().Contain("XXXXXXXA");
        result.PolicyRechecked.Should().BeTrue("FLOW-5 the policy was re-checked before giving up");
        stripped.Should().Contain("enforce/fail_closed", "the mtasts.starttls.stripped counter was incremented (bounded tags: the host is in the log)");
    }

    [Fact]
    public async Task Testing_StartTlsStripped_DeliveredInPlaintextAndRecorded()
    {
        var (result, receiver) = await RunAsync(3);

        result.Status.Should().Be(MtaStsDeliveryStatus.Delivered, "FLOW-3");
        receiver.Messages.Should().ContainSingle().Which.OverTls.Should().BeFalse();
        var via = result.DeliveredVia!;
        via.IsEncrypted.Should().BeFalse();
        via.StartTlsOffered.Should().BeFalse();
        via.Decision.Verdict.Should().Be(MtaStsVerdict.DeliverAndReport);
        via.Decision.Failure!.ResultType.Should().Be("starttls-not-supported");
        via.DowngradeEvidence.Should().Contain("XXXXXXXA");
    }

    [Theory]
    [InlineData(4, "mx.expired.test", MtaStsFailureKind.CertificateExpired)]
    [InlineData(5, "mx.wronghost.test", MtaStsFailureKind.CertificateHostMismatch)]
    public async Task Enforce_BadMxCertificate_RefusedEachTime(int row, string mx, MtaStsFailureKind kind)
    {
        var (result, receiver) = await RunAsync(row);

        result.Status.Should().Be(MtaStsDeliveryStatus.Deferred);
        receiver.Messages.Should().BeEmpty();
        receiver.Sessions.Should().BeGreaterThan(0, "the connection was made and refused at the TLS handshake");
        result.Attempts.Should().ContainSingle().Which.Decision!.Value.Failure!.Kind.Should().Be(kind);
        result.Attempts.Single().MxHost.Should().Be(mx);
    }

    [Fact]
    public async Task NoPolicy_StartTlsStripped_DeliveredInPlaintext()
    {
        var (result, receiver) = await RunAsync(6);

        result.Status.Should().Be(MtaStsDeliveryStatus.Delivered);
        result.Policy!.Policy.Should().BeNull();
        result.DeliveredVia!.Decision.Verdict.Should().Be(MtaStsVerdict.Deliver, "the status quo: nothing to enforce");
        receiver.Messages.Should().ContainSingle().Which.OverTls.Should().BeFalse();
    }

    [Fact]
    public async Task Enforce_MxPointsToAttacker_RefusedBeforeConnecting()
    {
        var (result, receiver) = await RunAsync(7);

        result.Status.Should().Be(MtaStsDeliveryStatus.Deferred);
        receiver.Sessions.Should().Be(0, "MX-1 the attacker's host is never contacted");
        result.Attempts.Should().ContainSingle().Which.Address.Should().BeNull();
        result.Attempts.Single().Decision!.Value.Failure!.Kind.Should().Be(MtaStsFailureKind.MxNotInPolicy);
    }

    [Fact]
    public async Task Enforce_CommonNameOnlyCertificate_RefusedAlthoughThePlatformAcceptsIt()
    {
        World.PublishPolicy("cnonly.test", "enforce", "mx.cnonly.test");
        World.Dns.SetMx("cnonly.test", (10, "mx.cnonly.test"));
        var receiver = await World.AddReceiverAsync("mx.cnonly.test", 18, World.Ca.IssueCommonNameOnly("mx.cnonly.test"));

        var result = await SendAsync("cnonly.test");

        result.Status.Should().Be(MtaStsDeliveryStatus.Deferred);
        result.Attempts.Single().Decision!.Value.Failure!.Kind.Should().Be(MtaStsFailureKind.CertificateHostMismatch, "CERT-3");
        receiver.Messages.Should().BeEmpty();
    }

    [Theory]
    [InlineData(7, MtaStsDeliveryStatus.Delivered, 1)]
    [InlineData(8, MtaStsDeliveryStatus.Deferred, 0)]
    [InlineData(9, MtaStsDeliveryStatus.Deferred, 0)]
    public async Task DaneScenario_EndsAsTheDemoExpects(int number, MtaStsDeliveryStatus status, int messages)
    {
        // DANE-1..3: self-signed accepted by DANE-EE; a CA-valid certificate with the wrong key refused although the
        // enforce policy would pass; STARTTLS stripped refused without any MTA-STS policy.
        var scenario = Scenarios.All.Single(s => s.Number == number);
        await scenario.SetUpAsync(World);
        var options = World.SenderOptions();
        options.UseDane = true;

        var result = (await new MtaStsDirectSender(Enforcer, options).SendAsync(Message($"bob@{scenario.Domain}"))).Should().ContainSingle().Subject;

        var receiver = World.Receivers[scenario.Receiver];
        result.Status.Should().Be(status);
        receiver.Messages.Should().HaveCount(messages);
        receiver.Messages.Count(m => !m.OverTls).Should().Be(0, "DANE never lets a message travel in plaintext");
        scenario.Expect(result, new ReceiverView(receiver.Sessions, receiver.Messages.Count(m => !m.OverTls), receiver.Messages.Count(m => m.OverTls)))
            .Should().BeTrue("the demo's own check agrees");
    }

    private async Task<(MtaStsDeliveryResult Result, LoopbackSmtpReceiver Receiver)> RunAsync(int row)
    {
        var scenario = Scenarios.All[row - 1];
        await scenario.SetUpAsync(World);
        var result = await SendAsync(scenario.Domain);
        return (result, World.Receivers[scenario.Receiver]);
    }


    private static MeterListener ListenForStrippedSessions(List<string?> seen) // "mode/verdict" of each measurement
    {
        var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == "MtaSts.Net" && instrument.Name == "mtasts.starttls.stripped")
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
        {
            string? mode = null, verdict = null;
            foreach (var tag in tags)
            {
                mode = tag.Key == "mtasts.mode" ? tag.Value as string : mode;
                verdict = tag.Key == "mtasts.verdict" ? tag.Value as string : verdict;
            }

            lock (seen)
            {
                seen.Add($"{mode}/{verdict}");
            }
        });
        listener.Start();
        return listener;
    }
}
