using System.Net.Security;
using MailKit.Net.Smtp;
using MailKit.Security;
using MtaSts.Dane;
using MtaSts.Decisions;

namespace MtaSts.MailKit.Internal;

/// <summary>
/// One SMTP connection under a policy state. Gathers the facts MailKit exposes (STARTTLS offered or refused, how the
/// handshake failed, the certificate check, downgrade evidence), asks the decision table once when the session ends,
/// counts that one decision, and turns a refusal or a failed upgrade into the boundary exceptions.
/// The caller saves and restores the client's TLS settings around it.
/// </summary>
internal static class MtaStsSession
{
    public static async Task<MtaStsSessionOutcome> ConnectAsync(SmtpClient client, MtaStsPolicyState state, string mxHost, Stream transport, int port,
        CancellationToken cancellationToken, DaneState? dane = null)
    {
        // DANE-2, RFC 7672 §2.2: secure TLSA (usable or not) makes STARTTLS mandatory whatever the MTA-STS mode.
        var enforce = state.Policy?.Mode == MtaStsMode.Enforce || state.IsFailClosed || dane is { RequiresTls: true };
        var certificateChecked = false;
        MtaStsFailure? certificateFailure = null;
        MtaStsFailure? daneFailure = null;
        string? subject = null;
        client.ServerCertificateValidationCallback = (_, certificate, chain, errors) =>
        {
            // Inside the handshake: the certificate is the last fact, and the handshake needs a yes or no now.
            subject = certificate?.Subject;
            certificateChecked = true;
            if (dane is { HasUsableRecords: true })
            {
                daneFailure = state.CheckDane(dane, certificate, chain); // DANE-4: the TLSA records, not PKIX, authenticate
            }
            else
            {
                certificateFailure = state.CheckCertificate(mxHost, certificate, chain, errors);
            }

            return state.Evaluate(new SessionFacts(mxHost, TlsStage.Established, certificateFailure, Dane: dane, DaneFailure: daneFailure)).MayDeliver;
        };

        var stream = new EhloRecordingStream(transport);

        // Hardening: MailKit's Timeout bounds each SMTP read, not the TLS handshake, which would wait for a silent MX
        // forever; the whole greeting / EHLO / STARTTLS / handshake phase gets the client's timeout as its bound.
        using var bound = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        if (client.Timeout > 0)
        {
            bound.CancelAfter(client.Timeout);
        }

        try
        {
            await client.ConnectAsync(stream, ServerName(mxHost, dane), port, enforce ? SecureSocketOptions.StartTls : SecureSocketOptions.StartTlsWhenAvailable,
                bound.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (bound.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            await stream.DisposeAsync().ConfigureAwait(false);
            throw new TimeoutException($"{mxHost} did not complete the SMTP greeting and TLS upgrade within {client.Timeout} ms", ex);
        }
        catch (NotSupportedException ex) when (enforce)
        {
            // CERT-1: MailKit refuses StartTls when the EHLO reply lacks STARTTLS.
            await stream.DisposeAsync().ConfigureAwait(false);
            var facts = new SessionFacts(mxHost, TlsStage.NotOffered, DowngradeEvidence: StartTlsDowngrade.Inspect(stream.EhloReply()), Dane: dane);
            throw Failed(state, facts, startTlsOffered: false, subject: null, stream.ServerName(), ex);
        }
        catch (SmtpCommandException ex) when (stream.StartTlsSent && !client.IsSecure)
        {
            // CERT-1: STARTTLS offered, then refused (e.g. 454) is the same as not offered: starttls-not-supported.
            await stream.DisposeAsync().ConfigureAwait(false);
            throw Failed(state, new SessionFacts(mxHost, TlsStage.Refused, TlsError: $"{(int)ex.StatusCode} {ex.Message}", Dane: dane), true, null, stream.ServerName(), ex);
        }
        catch (Exception ex) when (ex is SslHandshakeException or System.Security.Authentication.AuthenticationException)
        {
            // FLOW-11: no fallback to plaintext on this host; the caller moves to the next MX. Under testing or without
            // a policy the failure is still reportable (RPT-1, RPT-3: validation-failure unless the certificate check saw worse).
            await stream.DisposeAsync().ConfigureAwait(false);
            throw Failed(state, new SessionFacts(mxHost, TlsStage.HandshakeFailed, certificateFailure, ex.Message, Dane: dane, DaneFailure: daneFailure), true, subject, stream.ServerName(), ex);
        }

        if (client.IsSecure)
        {
            var failure = certificateChecked ? certificateFailure : state.CheckCertificate(mxHost, null, null, SslPolicyErrors.RemoteCertificateNotAvailable);
            if (!certificateChecked && dane is { HasUsableRecords: true })
            {
                daneFailure = state.CheckDane(dane, null, null);
            }

            var secure = End(state, new SessionFacts(mxHost, TlsStage.Established, failure, Dane: dane, DaneFailure: daneFailure));
            var established = new MtaStsSessionOutcome(mxHost, secure, true, true, client.SslProtocol, client.SslCipherSuite, subject, null) { ReceivingMxHelo = stream.ServerName() };

            // The certificate callback refuses a bad chain during the handshake; should it not have run (a resumed
            // session), the table's answer here still stops the delivery.
            if (!secure.MayDeliver)
            {
                await client.DisconnectAsync(quit: false, CancellationToken.None).ConfigureAwait(false); // no message may follow on this session
                throw new MtaStsDeliveryRefusedException(secure, established);
            }

            return established;
        }

        // Plain text: allowed without a policy, under none, and under testing (FLOW-16), which records the failure.
        var offered = client.Capabilities.HasFlag(SmtpCapabilities.StartTLS);
        var evidence = offered ? null : StartTlsDowngrade.Inspect(stream.EhloReply());
        var plain = End(state, new SessionFacts(mxHost, TlsStage.NotOffered, DowngradeEvidence: evidence, Dane: dane));
        return new MtaStsSessionOutcome(mxHost, plain, offered, false, null, null, null, evidence) { ReceivingMxHelo = stream.ServerName() };
    }

    // The session ends: one question to the table, one count.
    private static MtaStsDecision End(MtaStsPolicyState state, in SessionFacts facts)
    {
        var decision = state.Evaluate(facts);
        state.RecordDecision(decision, facts.DowngradeEvidence);
        return decision;
    }

    // A refusal when the table says fail closed; otherwise a reportable failed upgrade.
    private static Exception Failed(MtaStsPolicyState state, in SessionFacts facts, bool startTlsOffered, string? subject, string? helo, Exception inner)
    {
        var decision = End(state, facts);
        var outcome = new MtaStsSessionOutcome(facts.MxHost, decision, startTlsOffered, false, null, null, subject, facts.DowngradeEvidence) { ReceivingMxHelo = helo };
        return decision.MayDeliver
            ? new MtaStsSessionFailedException(outcome, inner)
            : new MtaStsDeliveryRefusedException(decision, outcome);
    }

    // The SNI (MailKit sends the host given to ConnectAsync): the MX host name for MTA-STS (CERT-12); the TLSA base
    // domain when DANE authenticates the host (RFC 7672 §8.1), which differs only when TLSA came from the CNAME target.
    private static string ServerName(string mxHost, DaneState? dane) => dane is { HasUsableRecords: true } ? dane.BaseDomain : mxHost;
}
