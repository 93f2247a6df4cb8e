using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using MailKit.Net.Smtp;
using MailKit.Security;
using MtaSts.MailKit.Internal;

namespace MtaSts.MailKit;

/// <summary>MTA-STS for MailKit's <see cref="SmtpClient"/>.</summary>
public static class MtaStsSmtpClientExtensions
{
    /// <summary>
    /// Connects to <paramref name="mxHost"/> under the MTA-STS policy in <paramref name="state"/>. Under <c>enforce</c>:
    /// an MX the policy does not list is refused before any connection; STARTTLS is required and the certificate must
    /// pass PKIX and SAN dNSName checks for <paramref name="mxHost"/> (never the CN). Under <c>testing</c>: every session
    /// is accepted and failures are recorded in the outcome as <see cref="MtaStsVerdict.DeliverAndReport"/>. Without a
    /// policy, or under <c>none</c>: STARTTLS when available, and any certificate accepted (opportunistic TLS, as RFC 8461
    /// intends; see <see cref="MtaStsOptions.RequireValidCertificateWithoutPolicy"/>).
    /// </summary>
    /// <param name="client">The client; its <see cref="global::MailKit.MailService.ServerCertificateValidationCallback"/> is replaced.</param>
    /// <param name="state">The recipient domain's policy state, from <see cref="IMtaStsEnforcer.GetPolicyAsync"/>.</param>
    /// <param name="mxHost">The MX host name (the TLS reference identity and SNI).</param>
    /// <param name="port">The SMTP port.</param>
    /// <param name="cancellationToken">Cancels the connection.</param>
    /// <returns>What happened on the connection.</returns>
    /// <exception cref="MtaStsDeliveryRefusedException">The policy forbids delivery to this MX (a temporary failure).</exception>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    public static async Task<MtaStsSessionOutcome> ConnectWithMtaStsAsync(this SmtpClient client, MtaStsPolicyState state, string mxHost,
        int port = 25, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(mxHost);
        RefuseUnlistedMx(state, mxHost);
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(mxHost, port, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            socket.Dispose();
            throw;
        }

        return await client.ConnectWithMtaStsAsync(state, mxHost, socket, port, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// As <see cref="ConnectWithMtaStsAsync(SmtpClient, MtaStsPolicyState, string, int, CancellationToken)"/>, over a
    /// socket already connected to an address of your choice (from your own MX address resolution); the certificate is
    /// still checked against <paramref name="mxHost"/>. The client takes ownership of the socket.
    /// </summary>
    /// <param name="client">The client; its certificate validation callback is replaced.</param>
    /// <param name="state">The recipient domain's policy state.</param>
    /// <param name="mxHost">The MX host name (the TLS reference identity and SNI).</param>
    /// <param name="socket">A connected socket.</param>
    /// <param name="port">The port the socket is connected to.</param>
    /// <param name="cancellationToken">Cancels the connection.</param>
    /// <returns>What happened on the connection.</returns>
    /// <exception cref="MtaStsDeliveryRefusedException">The policy forbids delivery to this MX (a temporary failure).</exception>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    public static async Task<MtaStsSessionOutcome> ConnectWithMtaStsAsync(this SmtpClient client, MtaStsPolicyState state, string mxHost,
        Socket socket, int port, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(mxHost);
        ArgumentNullException.ThrowIfNull(socket);
        RefuseUnlistedMx(state, mxHost);

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
        try
        {
            await client.ConnectAsync(stream, mxHost, port, enforce ? SecureSocketOptions.StartTls : SecureSocketOptions.StartTlsWhenAvailable,
                cancellationToken).ConfigureAwait(false);
        }
        catch (NotSupportedException) when (enforce)
        {
            // CERT-1: MailKit refuses StartTls when the EHLO reply lacks STARTTLS.
            var evidence = MtaStsStartTlsDowngrade.Inspect(stream.EhloReply());
            await stream.DisposeAsync().ConfigureAwait(false);
            var refused = WithEvidence(state.EvaluateTls(mxHost, startTlsOffered: false, null, null, default), evidence);
            throw Refused(refused, new MtaStsSessionOutcome(mxHost, refused, false, false, null, null, null, evidence));
        }
        catch (SslHandshakeException ex) when (tlsDecision is { MayDeliver: false } || enforce)
        {
            // FLOW-11: no fallback to plaintext on this host; the caller moves to the next MX.
            var refused = tlsDecision is { MayDeliver: false } rejected
                ? rejected
                : state.EvaluateTls(mxHost, true, null, null, default) with
                {
                    Verdict = MtaStsVerdict.FailClosed,
                    Failure = new MtaStsFailure(MtaStsFailureKind.ValidationFailure, $"TLS handshake with {mxHost} failed: {ex.Message}", "tls-handshake"),
                };
            throw Refused(refused, new MtaStsSessionOutcome(mxHost, refused, true, false, null, null, subject, null));
        }

        var startTlsOffered = client.IsSecure || client.Capabilities.HasFlag(SmtpCapabilities.StartTLS);
        if (client.IsSecure)
        {
            var decision = tlsDecision ?? state.EvaluateTls(mxHost, true, null, null, default);
            return new MtaStsSessionOutcome(mxHost, decision, true, true, client.SslProtocol, client.SslCipherSuite, subject, null);
        }

        // Plain text: allowed without a policy, under none, and under testing (FLOW-16), which records the failure.
        var plainEvidence = startTlsOffered ? null : MtaStsStartTlsDowngrade.Inspect(stream.EhloReply());
        if (plainEvidence is not null)
        {
            MailKitTelemetry.StartTlsStripped(mxHost);
        }

        var plain = WithEvidence(state.EvaluateTls(mxHost, startTlsOffered, null, null, default), plainEvidence);
        return new MtaStsSessionOutcome(mxHost, plain, startTlsOffered, false, null, null, null, plainEvidence);
    }

    private static void RefuseUnlistedMx(MtaStsPolicyState state, string mxHost)
    {
        var decision = state.EvaluateMx(mxHost);
        if (!decision.MayDeliver)
        {
            throw new MtaStsDeliveryRefusedException(decision); // MX-1, MX-8: refused before any connection
        }
    }

    private static MtaStsDeliveryRefusedException Refused(MtaStsDecision decision, MtaStsSessionOutcome outcome)
    {
        if (outcome.DowngradeEvidence is not null)
        {
            MailKitTelemetry.StartTlsStripped(outcome.MxHost);
        }

        return new MtaStsDeliveryRefusedException(decision, outcome);
    }

    private static MtaStsDecision WithEvidence(MtaStsDecision decision, string? evidence) =>
        evidence is null || decision.Failure is null
            ? decision
            : decision with { Failure = decision.Failure with { Detail = $"{decision.Failure.Detail}; {evidence}", ReasonCode = "starttls-likely-stripped" } };
}
