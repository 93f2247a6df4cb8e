using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using MailKit.Net.Smtp;
using MailKit.Security;

namespace MtaSts.MailKit.Internal;

/// <summary>
/// One SMTP connection under a policy state: the certificate callback, the STARTTLS requirement, and the mapping of
/// every TLS-upgrade failure MailKit raises to a decision (refused under <c>enforce</c>, reportable otherwise).
/// The caller saves and restores the client's TLS settings around it.
/// </summary>
internal static class MtaStsSession
{
    public static async Task<MtaStsSessionOutcome> ConnectAsync(SmtpClient client, MtaStsPolicyState state, string mxHost, Socket socket, int port,
        CancellationToken cancellationToken)
    {
        var enforce = state.Policy?.Mode == MtaStsMode.Enforce || state.IsFailClosed;
        MtaStsDecision? tlsDecision = null;
        string? subject = null;
        client.ServerCertificateValidationCallback = (_, certificate, chain, errors) =>
        {
            var leaf = certificate as X509Certificate2 ?? (certificate is null ? null : X509CertificateLoader.LoadCertificate(certificate.GetRawCertData()));
            subject = leaf?.Subject;
            var decision = state.EvaluateTls(mxHost, startTlsOffered: true, leaf, chain, errors);
            tlsDecision = decision;
            return decision.MayDeliver;
        };

        var stream = new EhloRecordingStream(new NetworkStream(socket, ownsSocket: true));

        // Hardening: MailKit's Timeout bounds each SMTP read, not the TLS handshake, which would wait for a silent MX
        // forever; the whole greeting / EHLO / STARTTLS / handshake phase gets the client's timeout as its bound.
        using var bound = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        if (client.Timeout > 0)
        {
            bound.CancelAfter(client.Timeout);
        }

        try
        {
            await client.ConnectAsync(stream, mxHost, port, enforce ? SecureSocketOptions.StartTls : SecureSocketOptions.StartTlsWhenAvailable,
                bound.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (bound.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            await stream.DisposeAsync().ConfigureAwait(false);
            throw new TimeoutException($"{mxHost} did not complete the SMTP greeting and TLS upgrade within {client.Timeout} ms", ex);
        }
        catch (NotSupportedException) when (enforce)
        {
            // CERT-1: MailKit refuses StartTls when the EHLO reply lacks STARTTLS.
            var evidence = MtaStsStartTlsDowngrade.Inspect(stream.EhloReply());
            await stream.DisposeAsync().ConfigureAwait(false);
            var refused = WithEvidence(state.EvaluateTls(mxHost, startTlsOffered: false, null, null, default), evidence);
            throw Refused(state, refused, new MtaStsSessionOutcome(mxHost, refused, false, false, null, null, null, evidence) { ReceivingMxHelo = stream.ServerName() });
        }
        catch (SmtpCommandException ex) when (stream.StartTlsSent && !client.IsSecure)
        {
            // CERT-1: STARTTLS offered, then refused (e.g. 454) is the same as not offered: starttls-not-supported.
            await stream.DisposeAsync().ConfigureAwait(false);
            var decision = state.EvaluateTls(mxHost, startTlsOffered: false, null, null, default);
            var failure = new MtaStsFailure(MtaStsFailureKind.StartTlsNotSupported,
                $"{mxHost} offered STARTTLS, then refused it: {(int)ex.StatusCode} {ex.Message}", "starttls-refused");
            throw Failed(state, decision with { Failure = failure }, new MtaStsSessionOutcome(mxHost, decision, true, false, null, null, null, null) { ReceivingMxHelo = stream.ServerName() }, enforce, ex);
        }
        catch (Exception ex) when (ex is SslHandshakeException or System.Security.Authentication.AuthenticationException)
        {
            // FLOW-11: no fallback to plaintext on this host; the caller moves to the next MX. Under testing or without
            // a policy the failure is still reportable (RPT-1, RPT-3: validation-failure unless the callback saw worse).
            await stream.DisposeAsync().ConfigureAwait(false);
            var decision = tlsDecision ?? state.EvaluateTls(mxHost, true, null, null, default);
            var failure = tlsDecision?.Failure
                ?? new MtaStsFailure(MtaStsFailureKind.ValidationFailure, $"TLS handshake with {mxHost} failed: {ex.Message}", "tls-handshake");
            var outcome = new MtaStsSessionOutcome(mxHost, decision, true, false, null, null, subject, null) { ReceivingMxHelo = stream.ServerName() };
            throw Failed(state, decision with { Failure = failure }, outcome, enforce || tlsDecision is { MayDeliver: false }, ex);
        }

        var startTlsOffered = client.IsSecure || client.Capabilities.HasFlag(SmtpCapabilities.StartTLS);
        if (client.IsSecure)
        {
            var decision = tlsDecision ?? state.EvaluateTls(mxHost, true, null, null, default);
            return new MtaStsSessionOutcome(mxHost, decision, true, true, client.SslProtocol, client.SslCipherSuite, subject, null) { ReceivingMxHelo = stream.ServerName() };
        }

        // Plain text: allowed without a policy, under none, and under testing (FLOW-16), which records the failure.
        var plainEvidence = startTlsOffered ? null : MtaStsStartTlsDowngrade.Inspect(stream.EhloReply());
        var plain = WithEvidence(state.EvaluateTls(mxHost, startTlsOffered, null, null, default), plainEvidence);
        if (plainEvidence is not null)
        {
            MailKitTelemetry.StartTlsStripped(mxHost, state.Mode, plain.Verdict);
        }

        return new MtaStsSessionOutcome(mxHost, plain, startTlsOffered, false, null, null, null, plainEvidence) { ReceivingMxHelo = stream.ServerName() };
    }

    // Under enforce (or when the certificate callback refused): a refusal. Otherwise: a reportable failed session.
    private static Exception Failed(MtaStsPolicyState state, MtaStsDecision decision, MtaStsSessionOutcome outcome, bool refuse, Exception inner)
    {
        if (refuse)
        {
            var refused = decision with { Verdict = MtaStsVerdict.FailClosed };
            return Refused(state, refused, outcome with { Decision = refused });
        }

        var reported = decision with { Verdict = state.Mode == MtaStsMode.Testing ? MtaStsVerdict.DeliverAndReport : decision.Verdict };
        return new MtaStsSessionFailedException(outcome with { Decision = reported }, inner);
    }

    private static MtaStsDeliveryRefusedException Refused(MtaStsPolicyState state, MtaStsDecision decision, MtaStsSessionOutcome outcome)
    {
        if (outcome.DowngradeEvidence is not null)
        {
            MailKitTelemetry.StartTlsStripped(outcome.MxHost, state.Mode, decision.Verdict);
        }

        return new MtaStsDeliveryRefusedException(decision, outcome);
    }

    private static MtaStsDecision WithEvidence(MtaStsDecision decision, string? evidence) =>
        evidence is null || decision.Failure is null
            ? decision
            : decision with { Failure = decision.Failure with { Detail = $"{decision.Failure.Detail}; {evidence}", ReasonCode = "starttls-likely-stripped" } };
}
