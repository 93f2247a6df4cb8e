using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using MtaSts.Discovery;

namespace MtaSts.Reporting;

/// <summary>
/// Sends the aggregate reports of every completed UTC day still held, oldest first (RFC 8460 §3, §4, §5): discovers
/// <c>_smtp._tls.&lt;domain&gt;</c>, builds the report, delivers it to the first <c>rua</c> that accepts, and retries
/// failures with exponential back-off for up to 24 h. The counters go from the recorder to a state store (memory,
/// <see cref="TlsRptOptions.StateDirectory"/>, or a store shared by a fleet of senders), where they are only ever added
/// to; a domain-day is sent under a lease in that store and marked sent, so a fleet sends one report per policy domain
/// and day, and a restart sends nothing twice. Each domain is sent in isolation, within a time budget, a few at a time.
/// </summary>
#pragma warning disable CA1001 // _saving (a SemaphoreSlim whose wait handle is never used) needs no disposal
internal sealed partial class TlsRptReporter
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

    /// <summary>Creates a reporter. Its state is kept in <see cref="TlsRptOptions.StateDirectory"/>, or in memory when none is set.</summary>
    /// <param name="recorder">Where sessions are counted.</param>
    /// <param name="resolver">The TXT resolver for <c>_smtp._tls</c> records.</param>
    /// <param name="transports">The delivery transports (https, mailto).</param>
    /// <param name="options">Who reports, where state is kept, and the limits.</param>
    /// <param name="timeProvider">The clock; <see langword="null"/> for the system clock.</param>
    /// <param name="logger">Where to log; <see langword="null"/> for nowhere.</param>
    /// <param name="meterFactory">Where the <c>MtaSts.Net</c> meter comes from; <see langword="null"/> for a meter of its own.</param>
    /// <exception cref="ArgumentException">The organisation name or contact address is missing, or the instance id is not valid.</exception>
    public TlsRptReporter(TlsRptRecorder recorder, IMtaStsTxtResolver resolver, IEnumerable<ITlsRptTransport> transports, TlsRptOptions options,
        TimeProvider? timeProvider = null, ILogger<TlsRptReporter>? logger = null, IMeterFactory? meterFactory = null)
        : this(recorder, resolver, transports, options, timeProvider, logger, DefaultStore(options, timeProvider, logger), meterFactory)
    {
    }

    internal TlsRptReporter(TlsRptRecorder recorder, IMtaStsTxtResolver resolver, IEnumerable<ITlsRptTransport> transports, TlsRptOptions options,
        TimeProvider? timeProvider, ILogger<TlsRptReporter>? logger, ITlsRptStateStore store, IMeterFactory? meterFactory = null)
    {
        ArgumentNullException.ThrowIfNull(recorder);
        ArgumentNullException.ThrowIfNull(resolver);
        ArgumentNullException.ThrowIfNull(transports);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(store);
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
        _store = store;
        _instance = instance;
    }

    /// <summary>The state store <see cref="TlsRptOptions.StateDirectory"/> asks for: a file there, or memory.</summary>
    internal static ITlsRptStateStore DefaultStore(TlsRptOptions options, TimeProvider? time, ILogger? logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        return options.StateDirectory is { } directory
            ? new FileTlsRptStateStore(directory, time ?? TimeProvider.System, options.MaxDomainsPerDay, logger)
            : new MemoryTlsRptStateStore(time ?? TimeProvider.System, options.MaxDomainsPerDay);
    }

    /// <summary>Sends the reports of <paramref name="day"/> once: one outcome per domain.</summary>
    /// <param name="day">The UTC day (usually yesterday).</param>
    /// <param name="cancellationToken">Cancels sending.</param>
    /// <returns>The outcomes.</returns>
    public Task<IReadOnlyList<TlsRptDeliveryOutcome>> SendDayAsync(DateOnly day, CancellationToken cancellationToken = default) =>
        SendAsync(d => d == day, null, cancellationToken);

    /// <summary>
    /// Sends the reports of every completed UTC day still held (for example, days left over from before a restart),
    /// oldest first. Days older than <see cref="TlsRptOptions.MaxReportAge"/> are dropped unsent, with a log.
    /// </summary>
    /// <param name="cancellationToken">Cancels sending.</param>
    /// <returns>The outcomes, one per domain and day.</returns>
    public Task<IReadOnlyList<TlsRptDeliveryOutcome>> SendPendingAsync(CancellationToken cancellationToken = default)
    {
        var today = DateOnly.FromDateTime(_time.GetUtcNow().UtcDateTime);
        return SendAsync(d => d < today, null, cancellationToken);
    }

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
        for (var round = 0; round < MaxRetryRounds && outcomes.Values.Any(Retried)
            && delay <= MaxDelay && Saturating(_time.GetUtcNow(), delay) <= giveUpAt; round++)
        {
            await Task.Delay(delay, _time, cancellationToken).ConfigureAwait(false);
            var failed = outcomes.Values.Where(Retried).Select(o => (o.Domain, o.Day)).ToList();
            foreach (var outcome in await SendAsync(_ => true, failed, cancellationToken).ConfigureAwait(false))
            {
                outcomes[(outcome.Domain, outcome.Day)] = outcome;
            }

            delay = delay <= MaxDelay ? delay * 2 : delay;
        }

        return [.. outcomes.Values.OrderBy(o => o.Day).ThenBy(o => o.Domain, StringComparer.Ordinal)];

        // A report another sender is sending is looked at again: sent by then, or its lease lapsed (the sender crashed).
        static bool Retried(TlsRptDeliveryOutcome o) => o.Status is TlsRptDeliveryStatus.Failed or TlsRptDeliveryStatus.SendingElsewhere;
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

    // E: the selected days the store holds, oldest first (a retry round passes its failed work instead); days past
    // MaxReportAge are dropped with a log. Counters not yet in the store go there first: a report built without them
    // would be followed by a second one.
    private async Task<IReadOnlyList<TlsRptDeliveryOutcome>> SendAsync(Func<DateOnly, bool> selectDay, IReadOnlyList<(string Domain, DateOnly Day)>? retry,
        CancellationToken cancellationToken)
    {
        if (!await FlushAsync(cancellationToken).ConfigureAwait(false))
        {
            // D: the run is retried once the store takes the counters.
            var held = retry ?? [.. _recorder.Days().Where(selectDay).SelectMany(d => _recorder.Domains(d).Select(x => (x, d)))];
            return [.. held.Select(w => new TlsRptDeliveryOutcome(w.Item1, null, TlsRptDeliveryStatus.Failed, "the TLS-RPT state store could not take the counters") { Day = w.Item2 })];
        }

        IReadOnlyList<(string Domain, DateOnly Day)> items;
        try
        {
            items = retry ?? await SelectAsync(selectDay, cancellationToken).ConfigureAwait(false);
        }
#pragma warning disable CA1031 // the store may be remote; the run is tried again at the next one
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
#pragma warning restore CA1031
        {
            LogStateUnreadable("list", ex.Message);
            return [];
        }

        PruneRecordCache();
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

        return [.. outcomes.OrderBy(o => o.Day).ThenBy(o => o.Domain, StringComparer.Ordinal)];
    }

    private async Task<IReadOnlyList<(string Domain, DateOnly Day)>> SelectAsync(Func<DateOnly, bool> selectDay, CancellationToken cancellationToken)
    {
        var today = DateOnly.FromDateTime(_time.GetUtcNow().UtcDateTime);
        var oldest = DateOnly.FromDateTime(Saturating(_time.GetUtcNow(), -_options.MaxReportAge).UtcDateTime);
        List<(string, DateOnly)> work = [];
        foreach (var group in (await _store.ListAsync(today, cancellationToken).ConfigureAwait(false)).GroupBy(w => w.Day).OrderBy(g => g.Key))
        {
            if (group.Key < oldest)
            {
                foreach (var (domain, day) in group)
                {
                    await _store.ForgetAsync(domain, day, cancellationToken).ConfigureAwait(false);
                }

                LogDayDropped(group.Key, group.Count());
            }
            else if (selectDay(group.Key))
            {
                work.AddRange(group);
            }
        }

        _recorder.PruneDayCounts(oldest);
        return work;
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

    // One sender per domain-day: the lease in the state store, then the sent marker, read under the lease.
    private async Task<TlsRptDeliveryOutcome> SendOneAsync(string domain, DateOnly day, CancellationToken cancellationToken)
    {
        var owner = $"{_instance}:{Guid.NewGuid():N}";
        if (!await _store.TryLeaseAsync(domain, day, owner, Bounded(_options.DomainTimeBudget) + TimeSpan.FromMinutes(1), cancellationToken).ConfigureAwait(false))
        {
            return new TlsRptDeliveryOutcome(domain, null, TlsRptDeliveryStatus.SendingElsewhere, "another sender holds the lease");
        }

        try
        {
            return await SendLeasedAsync(domain, day, owner, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            await ReleaseAsync(domain, day, owner).ConfigureAwait(false);
        }
    }

    private async Task<TlsRptDeliveryOutcome> SendLeasedAsync(string domain, DateOnly day, string owner, CancellationToken cancellationToken)
    {
        // RFC 8460 §4.4: a unique report-id; the sending instance is part of it.
        var submitter = _options.ContactInfo.Split('@')[^1];
        var reportId = $"{day:yyyy-MM-dd}_{domain}_{_instance}@{submitter}";
        if (await _store.IsSentAsync(domain, day, cancellationToken).ConfigureAwait(false))
        {
            await _store.ForgetAsync(domain, day, cancellationToken).ConfigureAwait(false); // counters added after the send
            return new TlsRptDeliveryOutcome(domain, null, TlsRptDeliveryStatus.AlreadySent, null);
        }

        var counts = await _store.ReadAsync(domain, day, cancellationToken).ConfigureAwait(false);
        if (counts.Count == 0)
        {
            return new TlsRptDeliveryOutcome(domain, null, TlsRptDeliveryStatus.NoEndpoint, "nothing recorded");
        }

        var start = new DateTimeOffset(day.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
        var report = new TlsRptReport(_options.OrganizationName, start, start.AddDays(1).AddSeconds(-1), _options.ContactInfo, reportId,
            [.. counts.Select(c => c.ToResult())]);
        var (found, record, error) = await DiscoverAsync(domain, cancellationToken).ConfigureAwait(false);
        if (found is null)
        {
            return new TlsRptDeliveryOutcome(domain, report.ReportId, TlsRptDeliveryStatus.Failed, error);
        }

        if (found == false || record!.ReportingUris.Count == 0)
        {
            await _store.ForgetAsync(domain, day, cancellationToken).ConfigureAwait(false); // RPT-23: no TLS-RPT record, no report
            return new TlsRptDeliveryOutcome(domain, report.ReportId, TlsRptDeliveryStatus.NoEndpoint, error ?? "no usable rua");
        }

        var envelope = TlsRptEnvelope.Create(report, domain);
        List<string> failures = [];
        foreach (var uri in record.ReportingUris.Take(Math.Max(1, _options.MaxReportUrisPerDomain)))
        {
            var failure = await DeliverAsync(uri, envelope, cancellationToken).ConfigureAwait(false);
            if (failure is null)
            {
                LogDelivered(report.ReportId, domain, uri.AbsoluteUri);
                var keepUntil = Saturating(Saturating(start, _options.MaxReportAge), TimeSpan.FromDays(2)); // no later run sends this day
                await MarkSentAsync(domain, day, owner, keepUntil).ConfigureAwait(false);
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
