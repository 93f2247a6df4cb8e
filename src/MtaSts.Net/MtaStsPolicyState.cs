using System.Net.Security;
using System.Runtime.CompilerServices;
using System.Security.Cryptography.X509Certificates;
using MtaSts.Certificates;
using MtaSts.Decisions;
using MtaSts.Matching;

namespace MtaSts;

/// <summary>
/// The MTA-STS state of one recipient domain at one moment: the policy that applies (or none), when it was fetched,
/// and what went wrong during discovery. Ask it about each MX host; it does no I/O.
/// </summary>
public sealed class MtaStsPolicyState
{
    private readonly EvaluationSettings _settings;
    private readonly long _fetchedAtUtcTicks;
    private readonly bool _hasFetchedAt;
    private volatile MxDecision? _lastMx;

    private MtaStsPolicyState(string domain, MtaStsPolicy? policy, string? recordId, DateTimeOffset? fetchedAt, MtaStsFailure? discoveryFailure,
        bool discoveryBlocks, bool discoveryReportable, EvaluationSettings settings)
    {
        Domain = domain;
        Policy = policy;
        RecordId = recordId;
        if (policy is not null && fetchedAt is { } at)
        {
            _hasFetchedAt = true;
            _fetchedAtUtcTicks = at.UtcTicks;
        }
        DiscoveryFailure = discoveryFailure;
        IsFailClosed = discoveryBlocks;
        IsDiscoveryFailureReportable = discoveryReportable;
        _settings = settings;
    }

    /// <summary>A policy applies: fetched, cached or loaded from the store, possibly kept in force despite a discovery failure.</summary>
    /// <param name="domain">The policy domain.</param>
    /// <param name="policy">The policy.</param>
    /// <param name="recordId">The TXT id the policy was fetched under.</param>
    /// <param name="fetchedAt">When it was fetched.</param>
    /// <param name="settings">What the evaluations need.</param>
    /// <param name="discoveryFailure">Why the latest discovery failed, when the policy is kept despite it (FLOW-9).</param>
    /// <param name="reportable">Whether that failure is a TLS-RPT event (RPT-1).</param>
    internal static MtaStsPolicyState WithPolicy(string domain, MtaStsPolicy policy, string? recordId, DateTimeOffset fetchedAt, EvaluationSettings settings,
        MtaStsFailure? discoveryFailure = null, bool reportable = false) =>
        new(domain, policy, recordId, fetchedAt, discoveryFailure, false, reportable, settings);

    /// <summary>No policy applies: none is published, discovery failed with nothing cached, or the name is not a domain.</summary>
    /// <param name="domain">The policy domain (or the name as given, when it is not a domain).</param>
    /// <param name="failure">What went wrong, if anything.</param>
    /// <param name="settings">What the evaluations need.</param>
    /// <param name="blocks">Delivery must wait (a temporary DNS failure under FailClosed).</param>
    /// <param name="reportable">A valid TXT record exists but its policy could not be fetched (FLOW-8, RPT-1).</param>
    /// <param name="recordId">That record's id, when there is one.</param>
    internal static MtaStsPolicyState WithoutPolicy(string domain, MtaStsFailure? failure, EvaluationSettings settings, bool blocks = false,
        bool reportable = false, string? recordId = null) =>
        new(domain, null, recordId, null, failure, blocks, reportable, settings);

    /// <summary>The policy domain: lower case, A-labels, no root dot (TXT-1, CACHE-10).</summary>
    public string Domain { get; }

    /// <summary>The policy that applies, or <see langword="null"/> when none does.</summary>
    public MtaStsPolicy? Policy { get; }

    /// <summary>The TXT record id of <see cref="Policy"/>; without a policy, the id of a record whose policy could not be fetched.</summary>
    public string? RecordId { get; }

    /// <summary>When <see cref="Policy"/> was fetched.</summary>
    /// <remarks>In UTC: kept as ticks, sixteen bytes fewer per cached domain than a nullable <see cref="DateTimeOffset"/>.</remarks>
    public DateTimeOffset? FetchedAt => _hasFetchedAt ? new DateTimeOffset(_fetchedAtUtcTicks, TimeSpan.Zero) : null;

    /// <summary>When <see cref="Policy"/> expires: its fetch time plus <c>max_age</c> (CACHE-1).</summary>
    public DateTimeOffset? ExpiresAt => FetchedAt + Policy?.MaxAge;

    /// <summary>
    /// What went wrong while discovering the policy (TXT lookup, fetch, parse), even when a cached policy still applies
    /// (RFC 8461 §3.3, FLOW-9); <see langword="null"/> when discovery went well.
    /// </summary>
    public MtaStsFailure? DiscoveryFailure { get; }

    /// <summary>
    /// Whether discovery failed in a way that stops delivery to every MX: a temporary DNS failure with nothing cached,
    /// under <see cref="MtaStsDnsFailureBehavior.FailClosed"/>. Retry later.
    /// </summary>
    public bool IsFailClosed { get; }

    /// <summary>Whether <see cref="DiscoveryFailure"/> is a TLS-RPT reportable event (a valid TXT record but no usable policy, RPT-1).</summary>
    public bool IsDiscoveryFailureReportable { get; }

    /// <summary>The mode in force: the policy's, or <see cref="MtaStsMode.None"/> without a policy.</summary>
    public MtaStsMode Mode => Policy?.Mode ?? MtaStsMode.None;

    /// <summary>
    /// Decides, before connecting, whether <paramref name="mxHost"/> may be used: under <c>enforce</c> an MX that matches
    /// no <c>mx</c> pattern fails closed (MX-1, MX-8: skip it as unreachable); under <c>testing</c> it is delivered and reported.
    /// Records no metric: <c>mtasts.decisions</c> counts what a sender did with a candidate (the MailKit package counts
    /// one decision per session, or per candidate skipped before connecting).
    /// </summary>
    /// <param name="mxHost">The MX host name as published in the MX record (MX-4), or the domain itself for an implicit MX.</param>
    /// <returns>The decision.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="mxHost"/> is null.</exception>
    public MtaStsDecision EvaluateMx(string mxHost)
    {
        ArgumentNullException.ThrowIfNull(mxHost);

        // The answer depends on this state and the name only, so the last one is kept: a sender delivering to the same
        // MX over and over decides it once per cached state (the hot path of a cached decision).
        var last = _lastMx;
        if (last is null || !string.Equals(last.MxHost, mxHost, StringComparison.Ordinal))
        {
            last = DecideMx(mxHost);
        }

        return last.Decision;
    }

    // Returns the kept object rather than the decision, so that the inlined hit above needs no room for a decision
    // returned by value.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private MxDecision DecideMx(string mxHost)
    {
        var decided = new MxDecision(mxHost, Evaluate(new SessionFacts(mxHost, TlsStage.NotConnected)));
        _lastMx = decided;
        return decided;
    }

    private sealed record MxDecision(string MxHost, MtaStsDecision Decision);

    /// <summary>
    /// Decides, inside the TLS certificate callback (or after EHLO when STARTTLS is missing), whether the session may
    /// carry the message. Checks the MX against the policy, that STARTTLS was offered, and the certificate: PKIX chain,
    /// validity period and SAN dNSName for <paramref name="mxHost"/>, never the CN (CERT-1..10, CERT-13).
    /// Without a policy, or under mode <c>none</c>, any certificate is accepted (opportunistic TLS) unless
    /// <see cref="MtaStsOptions.RequireValidCertificateWithoutPolicy"/> is set. Records no metric (see <see cref="EvaluateMx"/>).
    /// </summary>
    /// <param name="mxHost">The MX host name connected to (the reference identity, CERT-4).</param>
    /// <param name="startTlsOffered">Whether the server offered STARTTLS.</param>
    /// <param name="certificate">The server certificate, when TLS was negotiated: the <see cref="X509Certificate"/> a
    /// <see cref="RemoteCertificateValidationCallback"/> hands out is taken as it is.</param>
    /// <param name="chain">The chain the platform built, used only for its intermediate certificates.</param>
    /// <param name="errors">The platform's verdict. Not trusted on its own: the checks are redone here, because on Linux
    /// the platform accepts a CN-only certificate.</param>
    /// <returns>The decision.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="mxHost"/> is null.</exception>
    public MtaStsDecision EvaluateTls(string mxHost, bool startTlsOffered, X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors)
    {
        ArgumentNullException.ThrowIfNull(mxHost);
        var facts = startTlsOffered
            ? new SessionFacts(mxHost, TlsStage.Established, CheckCertificate(mxHost, certificate, chain, errors))
            : new SessionFacts(mxHost, TlsStage.NotOffered);
        return Evaluate(facts);
    }

    /// <summary>
    /// This domain as if it had no policy: opportunistic TLS, any certificate (RFC 8689 §4.3, RT-2: a message carrying
    /// <c>TLS-Required: No</c> whose sender chose to honour it).
    /// </summary>
    internal MtaStsPolicyState AsIfNoPolicy() =>
        new(Domain, null, RecordId, null, null, false, false, _settings with { RequireValidCertificateWithoutPolicy = false });

    /// <summary>Decides an MX host before connecting, with its DANE facts (DANE-4: secure usable TLSA skips the mx patterns).</summary>
    internal MtaStsDecision EvaluateMxWithDane(string mxHost, Dane.DaneState? dane) => Evaluate(new SessionFacts(mxHost, TlsStage.NotConnected, Dane: dane));

    /// <summary>Matches the server's certificate against the host's usable TLSA records (RFC 7672 §3); <see langword="null"/> when one matches.</summary>
    internal MtaStsFailure? CheckDane(Dane.DaneState dane, X509Certificate? certificate, X509Chain? chain)
    {
        List<X509Certificate2> presented = [];
        if (chain is not null)
        {
            presented.AddRange(chain.ChainElements.Select(e => e.Certificate));
            presented.AddRange(chain.ChainPolicy.ExtraStore);
        }

        var now = _settings.TimeProvider.GetUtcNow();
        if (certificate is null or X509Certificate2)
        {
            return Dane.TlsaMatcher.Match(dane, certificate as X509Certificate2, presented, now);
        }

        using var copy = X509CertificateLoader.LoadCertificate(certificate.GetRawCertData());
        return Dane.TlsaMatcher.Match(dane, copy, presented, now);
    }

    /// <summary>Asks the decision table about everything a sender saw of one candidate or session.</summary>
    internal MtaStsDecision Evaluate(in SessionFacts facts)
    {
        var matches = Policy is null || Policy.Mode == MtaStsMode.None || Policy.Matches(facts.MxHost);
        var input = new DecisionInput(Domain, Policy, DiscoveryFailure, IsFailClosed, IsDiscoveryFailureReportable,
            _settings.RequireValidCertificateWithoutPolicy, matches, facts);
        var verdict = DecisionTable.Decide(input, out var failure, out var mechanism);
        return new MtaStsDecision(verdict, failure, Policy, facts.MxHost)
        {
            Mechanism = mechanism,
            TlsaRecords = mechanism == MtaStsMechanism.Dane ? facts.Dane?.PolicyStrings : null,
        };
    }

    /// <summary>
    /// Checks the MX certificate where the decision depends on it (a policy of mode <c>testing</c> or <c>enforce</c>
    /// whose <c>mx</c> patterns list the host, or no policy under <see cref="MtaStsOptions.RequireValidCertificateWithoutPolicy"/>);
    /// <see langword="null"/> when it passes or does not matter.
    /// </summary>
    internal MtaStsFailure? CheckCertificate(string mxHost, X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors)
    {
        var matters = Policy is null
            ? _settings.RequireValidCertificateWithoutPolicy
            : Policy.Mode != MtaStsMode.None && Policy.Matches(mxHost);
        return matters ? CertificateFailure(mxHost, certificate, chain, errors) : null;
    }

    /// <summary>Counts one decision where a session or candidate ends (<c>mtasts.decisions</c>), and a stripped STARTTLS with it.</summary>
    internal void RecordDecision(in MtaStsDecision decision, string? downgradeEvidence = null)
    {
        _settings.Telemetry?.RecordDecision(Mode, decision);
        if (downgradeEvidence is not null)
        {
            _settings.Telemetry?.RecordStartTlsStripped(Mode, decision);
        }
    }

    /// <inheritdoc/>
    public override string ToString() =>
        $"{Domain}: {(Policy is null ? "no policy" : Policy.ToString())}{(DiscoveryFailure is null ? string.Empty : $" discovery: {DiscoveryFailure}")}";

    private MtaStsFailure? CertificateFailure(string mxHost, X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors)
    {
        if ((errors & SslPolicyErrors.RemoteCertificateNotAvailable) != 0 && certificate is null)
        {
            return new MtaStsFailure(MtaStsFailureKind.CertificateNotTrusted, $"{mxHost} presented no certificate", "no-certificate");
        }

        var now = _settings.TimeProvider.GetUtcNow();
        if (certificate is null or X509Certificate2)
        {
            return CertificateValidator.Validate(mxHost, certificate as X509Certificate2, chain, _settings.MxTrustedRoots, now);
        }

        using var copy = X509CertificateLoader.LoadCertificate(certificate.GetRawCertData()); // a bare X509Certificate from a TLS callback
        return CertificateValidator.Validate(mxHost, copy, chain, _settings.MxTrustedRoots, now);
    }
}
