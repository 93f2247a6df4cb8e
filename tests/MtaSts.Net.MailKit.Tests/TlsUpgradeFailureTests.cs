using System.Net;
using System.Net.Sockets;
using MailKit;
using MailKit.Net.Smtp;
using MailKit.Security;
using MtaSts.Demo;
using MtaSts.MailKit.Delivery;
using MtaSts.MailKit.Internal;
using MtaSts.Reporting;

namespace MtaSts.MailKit.Tests;

/// <summary>
/// A failed TLS upgrade (STARTTLS refused, handshake failed) under <c>testing</c> is not refused but is reportable
/// (RPT-1, RPT-3); under <c>enforce</c> it is refused (CERT-1, FLOW-2). Every failure of an attempt is typed.
/// </summary>
public sealed class TlsUpgradeFailureTests : DemoWorldTest
{
    private static DateOnly Today => DateOnly.FromDateTime(DateTime.UtcNow);

    [Fact]
    public async Task Send_TestingAndHandshakeFails_RecordedForTlsRptAsValidationFailure()
    {
        var recorder = new TlsRptRecorder();
        await using var mx = ScriptedMx("hsfail.test", "testing", 54, StartTlsScript.Garbage);

        var result = (await new MtaStsDirectSender(Enforcer, World.SenderOptions(), recorder: recorder).SendAsync(Message("bob@hsfail.test"))).Single();

        result.Status.Should().Be(MtaStsDeliveryStatus.Deferred, "the only MX failed; a temporary failure, never a bounce");
        result.Attempts.Should().ContainSingle().Which.ErrorKind.Should().Be(MtaStsAttemptError.TlsFailed);
        var detail = recorder.BuildReport("hsfail.test", Today, "o", "a@sender.test")!.Policies.Single().FailureDetails.Should().ContainSingle().Subject;
        detail.ResultType.Should().Be("validation-failure", "RPT-3 a handshake failure is reported, not only logged");
        detail.FailureReasonCode.Should().StartWith("tls-handshake", "the reason code first, then the free text (RFC 8460 §4.4)");
    }

    [Fact]
    public async Task Send_NoPolicyAndHandshakeFails_SessionRecordedAndTyped()
    {
        var recorder = new TlsRptRecorder();
        World.Dns.SetMx("nopolicy-hs.test", (10, "mx.nopolicy-hs.test"));
        World.Dns.SetA("mx.nopolicy-hs.test", DemoWorld.Address(65));
        await using var mx = new ScriptedSmtpServer(new IPEndPoint(DemoWorld.Address(65), World.SmtpPort), World.Ca.IssueFor("mx.nopolicy-hs.test"), StartTlsScript.Garbage);

        var result = (await new MtaStsDirectSender(Enforcer, World.SenderOptions(), recorder: recorder).SendAsync(Message("bob@nopolicy-hs.test"))).Single();

        result.Status.Should().Be(MtaStsDeliveryStatus.Deferred);
        result.Attempts.Should().ContainSingle().Which.ErrorKind.Should().Be(MtaStsAttemptError.TlsFailed);
        recorder.Domains(Today).Should().Contain("nopolicy-hs.test", "RPT-23 sessions without a policy are counted too (no-policy-found)");
    }

    [Fact]
    public async Task Send_TestingAndExpiredCertificate_DeliveredAndRecorded()
    {
        var recorder = new TlsRptRecorder();
        World.PublishPolicy("badcert.test", "testing", "mx.badcert.test");
        World.Dns.SetMx("badcert.test", (10, "mx.badcert.test"));
        var receiver = await World.AddReceiverAsync("mx.badcert.test", 55, World.Ca.IssueExpired("mx.badcert.test"));

        var result = (await new MtaStsDirectSender(Enforcer, World.SenderOptions(), recorder: recorder).SendAsync(Message("bob@badcert.test"))).Single();

        result.Status.Should().Be(MtaStsDeliveryStatus.Delivered, "FLOW-3 testing delivers");
        receiver.Messages.Should().ContainSingle().Which.OverTls.Should().BeTrue();
        recorder.BuildReport("badcert.test", Today, "o", "a@sender.test")!.Policies.Single().FailureDetails.Should().ContainSingle()
            .Which.ResultType.Should().Be("certificate-expired");
    }

    [Fact]
    public async Task Send_HandshakeStalls_AttemptBoundedByTheTimeouts()
    {
        await using var mx = ScriptedMx("stall.test", "enforce", 64, StartTlsScript.Stall);
        var options = World.SenderOptions();
        options.CommandTimeout = TimeSpan.FromSeconds(2);
        options.ConnectTimeout = TimeSpan.FromSeconds(2);
        using var guard = new CancellationTokenSource(TimeSpan.FromSeconds(60)); // only so that a failing run ends

        var clock = System.Diagnostics.Stopwatch.StartNew();
        var result = (await new MtaStsDirectSender(Enforcer, options).SendAsync(Message("bob@stall.test"), guard.Token)).Single();

        clock.Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(20), "a silent MX must not hold the attempt past its timeouts (2 s here)");
        result.Status.Should().Be(MtaStsDeliveryStatus.Deferred);
        result.Attempts.Should().ContainSingle().Which.ErrorKind.Should().Be(MtaStsAttemptError.Timeout);
    }

    [Fact]
    public async Task Connect_TestingAndStartTlsRefused_SessionFailedAsStartTlsNotSupported()
    {
        await using var mx = ScriptedMx("refuse.test", "testing", 56, StartTlsScript.Refuse);
        var state = await Enforcer.GetPolicyAsync("refuse.test");
        using var client = new SmtpClient();

        var act = async () => await client.ConnectWithMtaStsAsync(state, "mx.refuse.test", await ConnectedSocketAsync(56), World.SmtpPort, default);

        var failed = (await act.Should().ThrowAsync<MtaStsSessionFailedException>()).Which;
        failed.Outcome.Decision.Verdict.Should().Be(MtaStsVerdict.DeliverAndReport);
        failed.Outcome.Decision.Failure!.ResultType.Should().Be("starttls-not-supported", "CERT-1 a 454 to STARTTLS counts as no STARTTLS");
        failed.InnerException.Should().BeOfType<SmtpCommandException>();
    }

    [Fact]
    public async Task Connect_EnforceAndStartTlsRefused_Refused()
    {
        await using var mx = ScriptedMx("refuse2.test", "enforce", 57, StartTlsScript.Refuse);
        var state = await Enforcer.GetPolicyAsync("refuse2.test");
        using var client = new SmtpClient();

        var act = async () => await client.ConnectWithMtaStsAsync(state, "mx.refuse2.test", await ConnectedSocketAsync(57), World.SmtpPort, default);

        var refused = (await act.Should().ThrowAsync<MtaStsDeliveryRefusedException>()).Which;
        refused.Decision.Verdict.Should().Be(MtaStsVerdict.FailClosed);
        refused.Decision.Failure!.Kind.Should().Be(MtaStsFailureKind.StartTlsNotSupported);
    }

    public static TheoryData<Exception, MtaStsAttemptError> Exceptions => new()
    {
        { new SmtpCommandException(SmtpErrorCode.MessageNotAccepted, SmtpStatusCode.TransactionFailed, "554 no"), MtaStsAttemptError.PermanentRejection },
        { new SmtpCommandException(SmtpErrorCode.MessageNotAccepted, SmtpStatusCode.MailboxBusy, "450 busy"), MtaStsAttemptError.TemporaryRejection },
        { new SmtpProtocolException("garbled reply"), MtaStsAttemptError.ProtocolError },
        { new ServiceNotConnectedException(), MtaStsAttemptError.ProtocolError },         // dropped mid-session
        { new IOException("reset"), MtaStsAttemptError.ProtocolError },
        { new IOException("slow", new TimeoutException()), MtaStsAttemptError.Timeout },    // client.Timeout on a read
        { new TimeoutException(), MtaStsAttemptError.Timeout },
        { new OperationCanceledException(), MtaStsAttemptError.Timeout },                 // the connect timeout, not the caller
        { new SocketException((int)SocketError.ConnectionRefused), MtaStsAttemptError.ConnectFailed },
        { new SocketException((int)SocketError.TimedOut), MtaStsAttemptError.Timeout },
        { new SslHandshakeException("bad"), MtaStsAttemptError.TlsFailed },
        { new System.Security.Authentication.AuthenticationException("bad"), MtaStsAttemptError.TlsFailed },
    };

    [Theory]
    [MemberData(nameof(Exceptions))]
    public void Classify_AttemptException_TypedOutcome(Exception exception, MtaStsAttemptError expected) =>
        AttemptClassifier.Classify(exception, CancellationToken.None).Should().Be(expected);

    [Fact]
    public void Classify_CallerCancelledOrUnknown_Escapes()
    {
        AttemptClassifier.Classify(new OperationCanceledException(), new CancellationToken(canceled: true)).Should().BeNull("the caller's cancellation is not an attempt failure");
        AttemptClassifier.Classify(new InvalidOperationException(), CancellationToken.None).Should().BeNull("a bug is not a delivery outcome");
    }

    private ScriptedSmtpServer ScriptedMx(string domain, string mode, int last, StartTlsScript script)
    {
        World.PublishPolicy(domain, mode, $"mx.{domain}");
        World.Dns.SetMx(domain, (10, $"mx.{domain}"));
        World.Dns.SetA($"mx.{domain}", DemoWorld.Address(last));
        return new ScriptedSmtpServer(new IPEndPoint(DemoWorld.Address(last), World.SmtpPort), World.Ca.IssueFor($"mx.{domain}"), script);
    }

    private async Task<Socket> ConnectedSocketAsync(int last)
    {
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(DemoWorld.Address(last), World.SmtpPort);
        return socket;
    }
}
