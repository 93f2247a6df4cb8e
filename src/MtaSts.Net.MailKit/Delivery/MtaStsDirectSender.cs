using System.Net;
using System.Net.Sockets;
using MailKit;
using MailKit.Net.Smtp;
using MailKit.Security;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using MimeKit;
using MtaSts.MailKit.Internal;
using MtaSts.Reporting;

namespace MtaSts.MailKit.Delivery;

/// <summary>
/// Delivers a message straight to each recipient domain's MX hosts, the way an MTA does, under MTA-STS: recipients
/// grouped by domain, MX hosts in preference order (equal preferences shuffled), the implicit MX only when there is no
/// MX record, a null MX a permanent failure; candidates the policy refuses are skipped as unreachable (MX-8), and when
/// every candidate fails under <c>enforce</c> the result is deferred after DNS was asked for a newer policy (FLOW-5, FLOW-7).
/// </summary>
public sealed partial class MtaStsDirectSender : IMtaStsDirectSender
{
    private readonly IMtaStsEnforcer _enforcer;
    private readonly MtaStsDirectSenderOptions _options;
    private readonly MxDeliveryLoop _loop;
    private readonly ILogger _logger;
    private readonly TlsRptRecorder? _recorder;

    /// <summary>Creates a sender.</summary>
    /// <param name="enforcer">The MTA-STS enforcer.</param>
    /// <param name="options">The options; <see langword="null"/> for the defaults.</param>
    /// <param name="logger">Where to log; <see langword="null"/> for nowhere.</param>
    /// <exception cref="ArgumentNullException"><paramref name="enforcer"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="options"/> breaks a rule (a port out of range, a non-positive timeout, <c>DaneRequiredDomains</c> without <c>UseDane</c>).</exception>
    /// <param name="recorder">Where every session's outcome is counted for TLS-RPT; <see langword="null"/> for no reporting.</param>
    public MtaStsDirectSender(IMtaStsEnforcer enforcer, MtaStsDirectSenderOptions? options = null, ILogger<MtaStsDirectSender>? logger = null,
        TlsRptRecorder? recorder = null)
        : this(enforcer, options ?? new MtaStsDirectSenderOptions(), logger, Random.Shared, recorder)
    {
    }

    internal MtaStsDirectSender(IMtaStsEnforcer enforcer, MtaStsDirectSenderOptions options, ILogger? logger, Random random, TlsRptRecorder? recorder = null)
    {
        _recorder = recorder;
        ArgumentNullException.ThrowIfNull(enforcer);
        _enforcer = enforcer;
        _options = options;
        // The same rules as at host start with AddMailKit, for a sender built by hand.
        if (new MtaStsDirectSenderOptionsValidator().Validate(null, options) is { Failed: true } invalid)
        {
            throw new ArgumentException(invalid.FailureMessage, nameof(options));
        }

        _loop = new MxDeliveryLoop(MxResolver.For(enforcer), options, random);
        _logger = logger ?? NullLogger.Instance;
    }

    /// <inheritdoc/>
    public Task<IReadOnlyList<MtaStsDeliveryResult>> SendAsync(MimeMessage message, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(message);
        var sender = message.Sender ?? message.From.Mailboxes.FirstOrDefault()
            ?? throw new ArgumentException("The message has no sender.", nameof(message));
        return SendAsync(message, sender, [.. message.To.Mailboxes, .. message.Cc.Mailboxes, .. message.Bcc.Mailboxes], cancellationToken);
    }

    /// <inheritdoc/>
    public Task<IReadOnlyList<MtaStsDeliveryResult>> SendAsync(MimeMessage message, MailboxAddress sender, IEnumerable<MailboxAddress> recipients,
        CancellationToken cancellationToken = default) =>
        SendAsync(message, sender, recipients, requireTls: false, cancellationToken);

    /// <summary>
    /// As <see cref="SendAsync(MimeMessage, MailboxAddress, IEnumerable{MailboxAddress}, CancellationToken)"/>; with
    /// <paramref name="requireTls"/> the message is flagged REQUIRETLS (RFC 8689 §4): it goes only over TLS validated by
    /// an MTA-STS <c>enforce</c> policy or by DANE, to an MX that advertises REQUIRETLS, with <c>REQUIRETLS</c> on MAIL
    /// FROM; otherwise it fails permanently (<c>5.7.30</c>), never downgraded.
    /// </summary>
    /// <param name="message">The message.</param>
    /// <param name="sender">The envelope sender.</param>
    /// <param name="recipients">The envelope recipients.</param>
    /// <param name="requireTls">Whether the message is flagged REQUIRETLS.</param>
    /// <param name="cancellationToken">Cancels the delivery.</param>
    /// <returns>One result per recipient domain.</returns>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ArgumentException">There are no recipients.</exception>
    public async Task<IReadOnlyList<MtaStsDeliveryResult>> SendAsync(MimeMessage message, MailboxAddress sender, IEnumerable<MailboxAddress> recipients,
        bool requireTls, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(message);
        ArgumentNullException.ThrowIfNull(sender);
        ArgumentNullException.ThrowIfNull(recipients);
        var byDomain = recipients.GroupBy(r => r.Domain.TrimEnd('.').ToLowerInvariant()).ToList();
        if (byDomain.Count == 0)
        {
            throw new ArgumentException("There are no recipients.", nameof(recipients));
        }

        List<MtaStsDeliveryResult> results = [];
        foreach (var group in byDomain)
        {
            results.Add(await DeliverToDomainAsync(message, sender, group.Key, [.. group], requireTls, cancellationToken).ConfigureAwait(false));
        }

        return results;
    }

    private async Task<MtaStsDeliveryResult> DeliverToDomainAsync(MimeMessage message, MailboxAddress sender, string domain,
        IReadOnlyList<MailboxAddress> recipients, bool requireTls, CancellationToken cancellationToken)
    {
        var state = await _enforcer.GetPolicyAsync(domain, cancellationToken).ConfigureAwait(false);

        // RFC 8689 §4.3 (RT-2..RT-5): TLS-Required: No sets MTA-STS and DANE aside, only when the sender opted in, never with REQUIRETLS.
        var relaxed = !requireTls && _options.HonorTlsRequiredHeader && IsTlsRequiredNo(message);
        if (relaxed)
        {
            LogTlsRequiredNoHonored(domain);
            state = state.AsIfNoPolicy();
        }

        if (!relaxed)
        {
            await CheckDaneResolverAsync(cancellationToken).ConfigureAwait(false); // once, before the first DNSSEC question
        }

        var (mx, candidates) = await _loop.ResolveAsync(state.Domain, cancellationToken).ConfigureAwait(false);
        switch (mx.Status)
        {
            case MxLookupStatus.TemporaryFailure:
                return Result(MtaStsDeliveryStatus.Deferred, mx.Detail!, null, [], state, false);
            case MxLookupStatus.NoSuchDomain:
            case MxLookupStatus.NullMx:
                return await PermanentAsync(mx.Detail!, [], state).ConfigureAwait(false);
        }

        var dane = relaxed ? null : _loop.DaneFor(mx, state.Domain);
        var (delivered, attempts, permanent) = await TryCandidatesAsync(message, sender, recipients, state, candidates, dane, requireTls, cancellationToken).ConfigureAwait(false);
        if (delivered is not null)
        {
            return Result(MtaStsDeliveryStatus.Delivered, $"delivered to {delivered.MxHost}", delivered, attempts, state, false);
        }

        if (permanent is not null)
        {
            return await PermanentAsync(permanent, attempts, state).ConfigureAwait(false);
        }

        // RFC 8689 §5: a REQUIRETLS message no MX could take over validated TLS fails permanently, never downgraded.
        if (requireTls && attempts.Any(a => a.Error?.StartsWith(RequireTlsFailure, StringComparison.Ordinal) == true))
        {
            return Result(MtaStsDeliveryStatus.Failed, $"{RequireTlsFailure}: no MX of {domain} offered REQUIRETLS over validated TLS", null, attempts, state, false);
        }

        var refusedByPolicy = attempts.Any(a => a.Decision is { Verdict: MtaStsVerdict.FailClosed });
        if (!refusedByPolicy)
        {
            return Result(MtaStsDeliveryStatus.Deferred, $"no MX of {domain} could be reached", null, attempts, state, false);
        }

        // FLOW-5: before giving up on an enforce failure, ask DNS for a newer policy and, if there is one, retry at once.
        var rechecked = await _enforcer.RecheckAsync(domain, cancellationToken).ConfigureAwait(false);
        if (!string.Equals(rechecked.RecordId, state.RecordId, StringComparison.Ordinal) && rechecked.Policy is not null)
        {
            LogPolicyChanged(domain, state.RecordId, rechecked.RecordId);
            var (again, moreAttempts, _) = await TryCandidatesAsync(message, sender, recipients, rechecked, candidates, dane, requireTls, cancellationToken).ConfigureAwait(false);
            attempts = [.. attempts, .. moreAttempts];
            if (again is not null)
            {
                return Result(MtaStsDeliveryStatus.Delivered, $"delivered to {again.MxHost} under the re-checked policy", again, attempts, rechecked, true);
            }
        }

        // FLOW-7: every candidate failed under enforce → deferred, never bounced.
        LogDeferredByPolicy(domain, attempts.Count);
        var mechanism = attempts.Any(a => a.Decision is { Mechanism: MtaStsMechanism.Dane, Verdict: MtaStsVerdict.FailClosed }) ? "DANE or MTA-STS" : "MTA-STS";
        return Result(MtaStsDeliveryStatus.Deferred, $"every MX of {domain} failed the {mechanism} checks; retry later", null, attempts, rechecked, true);

        MtaStsDeliveryResult Result(MtaStsDeliveryStatus status, string reason, MtaStsSessionOutcome? via, IReadOnlyList<MtaStsDeliveryAttempt> tried,
            MtaStsPolicyState? policy, bool rechecked) =>
            new(domain, recipients, status, reason, via, tried, policy, rechecked) { TlsRequiredNoHonored = relaxed };

        // FLOW-5: no permanent failure under an enforce policy without asking DNS for a newer one first.
        async Task<MtaStsDeliveryResult> PermanentAsync(string reason, IReadOnlyList<MtaStsDeliveryAttempt> tried, MtaStsPolicyState policy)
        {
            if (policy.Mode != MtaStsMode.Enforce)
            {
                return Result(MtaStsDeliveryStatus.Failed, reason, null, tried, policy, false);
            }

            var after = await _enforcer.RecheckAsync(domain, cancellationToken).ConfigureAwait(false);
            return Result(MtaStsDeliveryStatus.Failed, reason, null, tried, after, true);
        }
    }

    private async Task<(MtaStsSessionOutcome? Delivered, List<MtaStsDeliveryAttempt> Attempts, string? Permanent)> TryCandidatesAsync(
        MimeMessage message, MailboxAddress sender, IReadOnlyList<MailboxAddress> recipients, MtaStsPolicyState state,
        IReadOnlyList<string> candidates, CandidateDane? dane, bool requireTls, CancellationToken cancellationToken)
    {
        List<MtaStsDeliveryAttempt> attempts = [];
        MtaStsSessionOutcome? delivered = null;
        string? permanent = null;
        await _loop.RunAsync(candidates, RefusedAsync, NoAddress, AttemptAsync, cancellationToken).ConfigureAwait(false);
        return (delivered, attempts, permanent);

        // MX-8: a candidate the policy refuses is skipped as unreachable, before any connection (and counted once). Its
        // DANE facts are looked up here, when the walk reaches it (RFC 7672 §2.2).
        async Task<bool> RefusedAsync(string host)
        {
            var hostDane = dane is null ? null : await dane.GetAsync(host, cancellationToken).ConfigureAwait(false);
            var decision = state.EvaluateMxWithDane(host, hostDane);
            if (decision.MayDeliver)
            {
                return false;
            }

            state.RecordDecision(decision);
            LogCandidateRefused(host, decision.Failure?.ToString());
            _recorder?.Record(state, decision); // DANE-6: a decision DANE made goes under a tlsa policy block

            attempts.Add(new MtaStsDeliveryAttempt(host, null, decision, null, decision.Failure?.ToString()) { ErrorKind = MtaStsAttemptError.PolicyRefused });
            return true;
        }

        void NoAddress(string host) =>
            attempts.Add(new MtaStsDeliveryAttempt(host, null, state.EvaluateMxWithDane(host, Dane(host)), null, $"{host} has no address") { ErrorKind = MtaStsAttemptError.NoAddress });

        MtaSts.Dane.DaneState? Dane(string host) => dane?.Known(host);

        async Task<MxStep> AttemptAsync(string host, IPAddress address)
        {
            var (attempt, done, rejected) = await TryAddressAsync(message, sender, recipients, state, host, address, Dane(host), requireTls, cancellationToken).ConfigureAwait(false);
            attempts.Add(attempt);
            if (done || rejected is not null)
            {
                delivered = done ? attempt.Outcome : null;
                permanent = rejected;
                return MxStep.Stop;
            }

            // FLOW-11: the policy refused this host; move on to the next MX (also when it cannot take a REQUIRETLS message).
            return attempt.Decision is { Verdict: MtaStsVerdict.FailClosed } || attempt.Error?.StartsWith(RequireTlsFailure, StringComparison.Ordinal) == true
                ? MxStep.NextHost
                : MxStep.NextAddress;
        }
    }

    private async Task<(MtaStsDeliveryAttempt Attempt, bool Delivered, string? Permanent)> TryAddressAsync(MimeMessage message, MailboxAddress sender,
        IReadOnlyList<MailboxAddress> recipients, MtaStsPolicyState state, string host, IPAddress address, MtaSts.Dane.DaneState? dane,
        bool requireTls, CancellationToken cancellationToken)
    {
        // Hardening: a client whose handshake never fetches AIA, CRL or OCSP URLs the MX chose (see MtaStsSmtpClient).
        using var client = new MtaStsSmtpClient
        {
            LocalDomain = _options.HeloName,
            Timeout = (int)_options.CommandTimeout.TotalMilliseconds,
            CheckMxCertificateRevocation = _options.CheckMxCertificateRevocation,
        };
        MtaStsSessionOutcome? outcome = null;
        string? localAddress = null;
        try
        {
            var socket = await _loop.ConnectAsync(address, cancellationToken).ConfigureAwait(false);
            localAddress = (socket.LocalEndPoint as IPEndPoint)?.Address.ToString();
            outcome = await client.ConnectSocketWithDaneAsync(state, host, socket, _options.Port, dane, cancellationToken).ConfigureAwait(false);
            Record(state, outcome.Decision, outcome, localAddress, address);
            if (requireTls)
            {
                if (RequireTlsRefusal(state, outcome, dane, client.Capabilities) is { } refusal)
                {
                    await client.DisconnectAsync(quit: true, cancellationToken).ConfigureAwait(false);
                    return (Failed(outcome.Decision, outcome, $"{RequireTlsFailure}: {refusal}", MtaStsAttemptError.PolicyRefused), false, null);
                }

                client.RequireTLS = true; // MailKit adds REQUIRETLS to MAIL FROM (RFC 8689 §4.1)
            }

            await client.SendAsync(message, sender, recipients, cancellationToken).ConfigureAwait(false);
            await client.DisconnectAsync(quit: true, cancellationToken).ConfigureAwait(false);
            LogDelivered(host, address, outcome.IsEncrypted, outcome.Decision.Verdict);
            return (new MtaStsDeliveryAttempt(host, address, outcome.Decision, outcome, null), true, null);
        }
        catch (MtaStsDeliveryRefusedException refused)
        {
            Record(state, refused.Decision, refused.Outcome, localAddress, address);
            LogSessionRefused(host, address, refused.Decision.Failure?.ToString());
            return (Failed(refused.Decision, refused.Outcome, refused.Message, MtaStsAttemptError.PolicyRefused), false, null);
        }
        catch (MtaStsSessionFailedException failed)
        {
            // RPT-1: a failed TLS upgrade under testing or without a policy is a session like any other for TLS-RPT.
            Record(state, failed.Outcome.Decision, failed.Outcome, localAddress, address);
            LogTlsFailed(host, address, failed.Outcome.Decision.Failure?.ToString());
            return (Failed(failed.Outcome.Decision, failed.Outcome, failed.Message, MtaStsAttemptError.TlsFailed), false, null);
        }
        catch (Exception ex) when (AttemptClassifier.Classify(ex, cancellationToken) is { } kind)
        {
            LogAttemptFailed(host, address, kind, ex.Message);
            var permanent = ex is SmtpCommandException rejected && kind == MtaStsAttemptError.PermanentRejection
                ? $"{host} rejected the message: {(int)rejected.StatusCode} {rejected.Message}"
                : null;
            return (Failed(outcome?.Decision, outcome, ex.Message, kind), false, permanent);
        }

        MtaStsDeliveryAttempt Failed(MtaStsDecision? decision, MtaStsSessionOutcome? session, string error, MtaStsAttemptError kind) =>
            new(host, address, decision, session, error) { ErrorKind = kind };
    }

    /// <summary>
    /// With <see cref="MtaStsDirectSenderOptions.UseDane"/>, checks once that the resolver validates DNSSEC and is on this
    /// machine, and warns when not (a resolver that sets no AD bit turns DANE off without a sound). Runs at host start
    /// when the sender is registered with <c>AddMailKit</c>, else before the first delivery.
    /// </summary>
    internal async Task CheckDaneResolverAsync(CancellationToken cancellationToken)
    {
        if (await _loop.CheckResolverOnceAsync(cancellationToken).ConfigureAwait(false) is not { } check)
        {
            return;
        }

        if (check.Remote.Count > 0)
        {
            LogDaneResolverNotLocal(string.Join(", ", check.Remote));
        }

        if (check.Validates == false)
        {
            LogDaneResolverNotValidating(check.Servers);
        }
        else if (check.Validates is null)
        {
            LogDaneResolverUnanswered(check.Servers);
        }
    }

    private const string RequireTlsFailure = "5.7.30 REQUIRETLS support required";

    // RFC 8689 §3, RT-4: the one defined value, "No", case-insensitive after trimming; anything else is as if absent.
    private static bool IsTlsRequiredNo(MimeMessage message) =>
        message.Headers["TLS-Required"] is { } value && string.Equals(value.Trim(), "No", StringComparison.OrdinalIgnoreCase);

    // RFC 8689 §4.2.1: validated TLS (an enforce policy or DANE that passed) to an MX that advertises REQUIRETLS.
    private static string? RequireTlsRefusal(MtaStsPolicyState state, MtaStsSessionOutcome outcome, MtaSts.Dane.DaneState? dane, SmtpCapabilities capabilities)
    {
        var validated = outcome.IsEncrypted && outcome.Decision.Failure is null
            && (outcome.Decision.Mechanism == MtaStsMechanism.Dane ? dane is { HasUsableRecords: true } : state.Mode == MtaStsMode.Enforce && !state.IsFailClosed);
        if (!validated)
        {
            return $"{outcome.MxHost} is not reached over TLS validated by an MTA-STS enforce policy or DANE";
        }

        return capabilities.HasFlag(SmtpCapabilities.RequireTLS) ? null : $"{outcome.MxHost} does not advertise REQUIRETLS";
    }

    private void Record(MtaStsPolicyState state, MtaStsDecision decision, MtaStsSessionOutcome? outcome, string? localAddress, IPAddress address)
    {
        var session = new TlsRptSession(localAddress, address.ToString(), outcome?.ReceivingMxHelo, outcome?.DowngradeEvidence);
        _recorder?.Record(state, decision, session); // DANE-6: policy-type tlsa when DANE decided

        if (outcome?.DowngradeEvidence is not null)
        {
            LogStartTlsStripped(outcome.MxHost, outcome.DowngradeEvidence); // the MX host goes to the log, not to metric tags
        }
    }
}
