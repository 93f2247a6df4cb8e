using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using MtaSts.Caching;
using MtaSts.Discovery;

namespace MtaSts.Reporting;

/// <summary>
/// Sends the aggregate reports of every completed UTC day still held, oldest first (RFC 8460 §3, §4, §5): discovers
/// <c>_smtp._tls.&lt;domain&gt;</c>, builds the report, delivers it to the first <c>rua</c> that accepts, retries failures
/// with exponential back-off for up to 24 h, and keeps the counters and the list of sent reports in the policy store
/// (a file or a shared cache) under this instance's id, so that a restart loses nothing and sends nothing twice.
/// Each domain is sent in isolation, within a time budget, a few domains at a time.
/// </summary>
#pragma warning disable CA1001 // _saving (a SemaphoreSlim whose wait handle is never used) needs no disposal
public sealed partial class TlsRptReporter
#pragma warning restore CA1001
{
    private const int MaxRetryRounds = 32;
    private static readonly TimeSpan MaxDelay = TimeSpan.FromDays(49); // Task.Delay's limit

    private readonly string _instance;
    private readonly TlsRptRecorder _recorder;
    private readonly IMtaStsTxtResolver _resolver;
    private readonly IReadOnlyList<ITlsRptTransport> _transports;
    private readonly TlsRptOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly TlsRptTelemetry _telemetry;

    /// <summary>Creates a reporter. Its state is kept in <paramref name="store"/>, or in <see cref="TlsRptOptions.StateDirectory"/>
    /// when no store is given; it is loaded before the first send (or by <see cref="LoadStateAsync"/>).</summary>
    /// <param name="recorder">Where sessions are counted.</param>
    /// <param name="resolver">The TXT resolver for <c>_smtp._tls</c> records.</param>
    /// <param name="transports">The delivery transports (https, mailto).</param>
    /// <param name="options">Who reports, where state is kept, and the limits.</param>
    /// <param name="timeProvider">The clock; <see langword="null"/> for the system clock.</param>
    /// <param name="logger">Where to log; <see langword="null"/> for nowhere.</param>
    /// <param name="store">Where counters and sent reports are kept (under <see cref="TlsRptOptions.InstanceId"/>).</param>
    /// <param name="meterFactory">Where the <c>MtaSts.Net</c> meter comes from; <see langword="null"/> for a meter of its own.</param>
    /// <exception cref="ArgumentException">The organisation name or contact address is missing, or the instance id is not a valid key.</exception>
    public TlsRptReporter(TlsRptRecorder recorder, IMtaStsTxtResolver resolver, IEnumerable<ITlsRptTransport> transports, TlsRptOptions options,
        TimeProvider? timeProvider = null, ILogger<TlsRptReporter>? logger = null, IMtaStsPolicyStore? store = null, IMeterFactory? meterFactory = null)
    {
        ArgumentNullException.ThrowIfNull(recorder);
        ArgumentNullException.ThrowIfNull(resolver);
        ArgumentNullException.ThrowIfNull(transports);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentException.ThrowIfNullOrWhiteSpace(options.OrganizationName);
        if (!TlsRptUri.TryGetMailbox("mailto:" + options.ContactInfo, out _, out _))
        {
            throw new ArgumentException("ContactInfo must be a plain address (RFC 8460 §4.4).", nameof(options));
        }

        var instance = options.InstanceId ?? TlsRptInstanceId.CreateDefault(null);
        if (!TlsRptInstanceId.IsValid(instance))
        {
            throw new ArgumentException("InstanceId: 1 to 64 letters, digits, '-', '_' or '.'.", nameof(options));
        }

        _recorder = recorder;
        _resolver = resolver;
        _transports = [.. transports];
        _options = options;
        _time = timeProvider ?? TimeProvider.System;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
        _telemetry = TlsRptTelemetry.Create(meterFactory);
        _store = store ?? (options.StateDirectory is null ? null : new FilePolicyStore(options.StateDirectory));
        _instance = instance;
        _countersKey = $"tlsrpt-counters-{instance}";
        _sentKey = $"tlsrpt-sent-{instance}";
    }

    /// <summary>Sends the reports of <paramref name="day"/> once: one outcome per domain.</summary>
    /// <param name="day">The UTC day (usually yesterday).</param>
    /// <param name="cancellationToken">Cancels sending.</param>
    /// <returns>The outcomes.</returns>
    public Task<IReadOnlyList<TlsRptDeliveryOutcome>> SendDayAsync(DateOnly day, CancellationToken cancellationToken = default) =>
        SendAsync(() => [.. _recorder.Domains(day).Select(d => (d, day))], cancellationToken);

    /// <summary>
    /// Sends the reports of every completed UTC day still held (for example, days left over from before a restart),
    /// oldest first. Days older than <see cref="TlsRptOptions.MaxReportAge"/> are dropped unsent, with a log.
    /// </summary>
    /// <param name="cancellationToken">Cancels sending.</param>
    /// <returns>The outcomes, one per domain and day.</returns>
    public Task<IReadOnlyList<TlsRptDeliveryOutcome>> SendPendingAsync(CancellationToken cancellationToken = default) =>
        SendAsync(PendingWork, cancellationToken);

    /// <summary>Sends the reports of <paramref name="day"/>, retrying failed ones with exponential back-off until <see cref="TlsRptOptions.RetryFor"/> has passed (RPT-20).</summary>
    /// <param name="day">The UTC day.</param>
    /// <param name="cancellationToken">Cancels sending and waiting.</param>
    /// <returns>The final outcome per domain.</returns>
    public Task<IReadOnlyList<TlsRptDeliveryOutcome>> SendDayWithRetriesAsync(DateOnly day, CancellationToken cancellationToken = default) =>
        WithRetriesAsync(SendDayAsync(day, cancellationToken), cancellationToken);

    /// <summary>Sends every completed day still held, oldest first, retrying failures with back-off until <see cref="TlsRptOptions.RetryFor"/> has passed (RPT-20).</summary>
    /// <param name="cancellationToken">Cancels sending and waiting.</param>
    /// <returns>The final outcome per domain and day.</returns>
    public Task<IReadOnlyList<TlsRptDeliveryOutcome>> SendPendingWithRetriesAsync(CancellationToken cancellationToken = default) =>
        WithRetriesAsync(SendPendingAsync(cancellationToken), cancellationToken);

    private async Task<IReadOnlyList<TlsRptDeliveryOutcome>> WithRetriesAsync(Task<IReadOnlyList<TlsRptDeliveryOutcome>> first, CancellationToken cancellationToken)
    {
        var giveUpAt = Saturating(_time.GetUtcNow(), _options.RetryFor);
        var delay = _options.FirstRetryDelay;
        var outcomes = (await first.ConfigureAwait(false)).ToDictionary(o => (o.Domain, o.Day));
        for (var round = 0; round < MaxRetryRounds && outcomes.Values.Any(o => o.Status == TlsRptDeliveryStatus.Failed)
            && delay <= MaxDelay && Saturating(_time.GetUtcNow(), delay) <= giveUpAt; round++)
        {
            await Task.Delay(delay, _time, cancellationToken).ConfigureAwait(false);
            var failed = outcomes.Values.Where(o => o.Status == TlsRptDeliveryStatus.Failed).Select(o => (o.Domain, o.Day)).ToList();
            foreach (var outcome in await SendAsync(() => failed, cancellationToken).ConfigureAwait(false))
            {
                outcomes[(outcome.Domain, outcome.Day)] = outcome;
            }

            delay = delay <= MaxDelay ? delay * 2 : delay;
        }

        return [.. outcomes.Values.OrderBy(o => o.Day).ThenBy(o => o.Domain, StringComparer.Ordinal)];
    }

    private static string Printable(string text) =>
        string.Create(Math.Min(text.Length, 1000), text, static (span, source) =>
        {
            for (var i = 0; i < span.Length; i++)
            {
                span[i] = char.IsControl(source[i]) ? ' ' : source[i];
            }
        });

    // A timer's span within what CancelAfter and Task.Delay accept.
    internal static TimeSpan Bounded(TimeSpan span) =>
        span < TimeSpan.FromMilliseconds(1) ? TimeSpan.FromMilliseconds(1) : span > MaxDelay ? MaxDelay : span;

    // Options are plain settable values: a huge one saturates instead of overflowing.
    private static DateTimeOffset Saturating(DateTimeOffset at, TimeSpan by) =>
        by >= TimeSpan.Zero
            ? (by > DateTimeOffset.MaxValue - at ? DateTimeOffset.MaxValue : at + by)
            : (by == TimeSpan.MinValue || -by > at - DateTimeOffset.MinValue ? DateTimeOffset.MinValue : at + by);

    /// <summary>Counts a run that ended in an unexpected error (the hosted service's).</summary>
    internal void CountFailedRun() => _telemetry.RunFailures.Add(1);

    /// <summary>Told of each report delivery's outcome, for health checks (set by the DI registration).</summary>
    internal Health.MtaStsHealthStatus? Health { get; init; }

    // E: every completed day still held, oldest first; days past MaxReportAge are dropped with a log.
    private List<(string Domain, DateOnly Day)> PendingWork()
    {
        var today = DateOnly.FromDateTime(_time.GetUtcNow().UtcDateTime);
        var oldest = DateOnly.FromDateTime(Saturating(_time.GetUtcNow(), -_options.MaxReportAge).UtcDateTime);
        List<(string, DateOnly)> work = [];
        foreach (var day in _recorder.Days().Where(d => d < today))
        {
            if (day < oldest)
            {
                LogDayDropped(day, _recorder.ForgetDay(day));
                continue;
            }

            work.AddRange(_recorder.Domains(day).Select(d => (d, day)));
        }

        _recorder.PruneDayCounts(oldest);
        return work;
    }

    private async Task<IReadOnlyList<TlsRptDeliveryOutcome>> SendAsync(Func<IReadOnlyList<(string Domain, DateOnly Day)>> work, CancellationToken cancellationToken)
    {
        if (!await TryLoadAsync(cancellationToken).ConfigureAwait(false))
        {
            // D: without the saved state a send could repeat a report or lose stored counters; the run is retried.
            return [.. work().Select(w => new TlsRptDeliveryOutcome(w.Domain, null, TlsRptDeliveryStatus.Failed, "the saved TLS-RPT state could not be read") { Day = w.Day })];
        }

        PruneRecordCache();
        var items = work();
        var outcomes = new ConcurrentBag<TlsRptDeliveryOutcome>();
        foreach (var day in items.Select(w => w.Day).Distinct().Order())
        {
            var parallel = new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, _options.MaxConcurrentDomains), CancellationToken = cancellationToken };
            await Parallel.ForEachAsync(items.Where(w => w.Day == day), parallel,
                async (w, ct) => outcomes.Add(await SendIsolatedAsync(w.Domain, w.Day, ct).ConfigureAwait(false))).ConfigureAwait(false);
            if (_recorder.TakeDropped(day) is > 0 and var dropped)
            {
                LogSessionsDropped(day, dropped, _options.MaxDomainsPerDay);
            }
        }

        PruneSent();
        await SaveStateAsync(cancellationToken).ConfigureAwait(false);
        return [.. outcomes.OrderBy(o => o.Day).ThenBy(o => o.Domain, StringComparer.Ordinal)];
    }

    // A, B: one domain's report in isolation, within its time budget: no failure or exception reaches another domain.
    private async Task<TlsRptDeliveryOutcome> SendIsolatedAsync(string domain, DateOnly day, CancellationToken cancellationToken)
    {
        using var budget = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        budget.CancelAfter(Bounded(_options.DomainTimeBudget)); // real time, like the network timeouts it bounds
        TlsRptDeliveryOutcome outcome;
        try
        {
            outcome = await SendOneAsync(domain, day, budget.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            outcome = new TlsRptDeliveryOutcome(domain, null, TlsRptDeliveryStatus.Failed, $"took longer than {_options.DomainTimeBudget}");
            LogFailed(domain, outcome.Detail!);
        }
#pragma warning disable CA1031 // hardening: a bug or a hostile endpoint in one domain's delivery never stops the others
        catch (Exception ex) when (ex is not OperationCanceledException)
#pragma warning restore CA1031
        {
            outcome = new TlsRptDeliveryOutcome(domain, null, TlsRptDeliveryStatus.Failed, $"unexpected {ex.GetType().Name}");
            LogUnexpected(domain, ex);
        }

        _telemetry.Reports.Add(1, new KeyValuePair<string, object?>("mtasts.tlsrpt.outcome", outcome.Status.ToString().ToLowerInvariant()));
        Health?.ReportAttempted(outcome);
        return outcome with { Day = day };
    }

    private async Task<TlsRptDeliveryOutcome> SendOneAsync(string domain, DateOnly day, CancellationToken cancellationToken)
    {
        // RFC 8460 §4.4: a unique report-id; each instance sends its own report, so the instance is part of it.
        var submitter = _options.ContactInfo.Split('@')[^1];
        var reportId = $"{day:yyyy-MM-dd}_{domain}_{_instance}@{submitter}";
        var report = _recorder.BuildReport(domain, day, _options.OrganizationName, _options.ContactInfo, reportId);
        if (report is null)
        {
            return new TlsRptDeliveryOutcome(domain, null, TlsRptDeliveryStatus.NoEndpoint, "nothing recorded");
        }

        if (IsSent(report.ReportId) || IsSent($"{day:yyyy-MM-dd}_{domain}@{submitter}")) // the id before instance ids: never twice
        {
            _recorder.Forget(domain, day);
            return new TlsRptDeliveryOutcome(domain, report.ReportId, TlsRptDeliveryStatus.AlreadySent, null);
        }

        var (found, record, error) = await DiscoverAsync(domain, cancellationToken).ConfigureAwait(false);
        if (found is null)
        {
            return new TlsRptDeliveryOutcome(domain, report.ReportId, TlsRptDeliveryStatus.Failed, error);
        }

        if (found == false || record!.ReportingUris.Count == 0)
        {
            _recorder.Forget(domain, day); // RPT-23: no TLS-RPT record, no report
            return new TlsRptDeliveryOutcome(domain, report.ReportId, TlsRptDeliveryStatus.NoEndpoint, error ?? "no usable rua");
        }

        var envelope = TlsRptEnvelope.Create(report, domain);
        List<string> failures = [];
        foreach (var uri in record.ReportingUris.Take(Math.Max(1, _options.MaxReportUrisPerDomain)))
        {
            var failure = await DeliverAsync(uri, envelope, cancellationToken).ConfigureAwait(false);
            if (failure is null)
            {
                MarkSent(report.ReportId);
                _recorder.Forget(domain, day);
                LogDelivered(report.ReportId, domain, uri.AbsoluteUri);
                return new TlsRptDeliveryOutcome(domain, report.ReportId, TlsRptDeliveryStatus.Delivered, uri.AbsoluteUri);
            }

            failures.Add(Printable(failure)); // endpoint replies end up in logs: no line breaks or control characters
        }

        LogFailed(domain, string.Join("; ", failures));
        return new TlsRptDeliveryOutcome(domain, report.ReportId, TlsRptDeliveryStatus.Failed, string.Join("; ", failures));
    }

    // RPT-8: each rua on its own; a transport that throws only fails that rua.
    private async Task<string?> DeliverAsync(Uri uri, TlsRptEnvelope envelope, CancellationToken cancellationToken)
    {
        var transport = _transports.FirstOrDefault(t => t.CanDeliver(uri));
        if (transport is null)
        {
            return $"{uri.Scheme}: no transport registered";
        }

        try
        {
            return await transport.DeliverAsync(uri, envelope, cancellationToken).ConfigureAwait(false);
        }
#pragma warning disable CA1031 // the transport may be the application's; its exception is this rua's failure
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
#pragma warning restore CA1031
        {
            return $"{uri.AbsoluteUri}: {ex.GetType().Name}: {ex.Message}";
        }
    }
}
