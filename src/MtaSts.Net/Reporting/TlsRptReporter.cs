using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using MtaSts.Caching;
using MtaSts.Discovery;

namespace MtaSts.Reporting;

/// <summary>
/// Sends each UTC day's aggregate reports (RFC 8460 §3, §4, §5): discovers <c>_smtp._tls.&lt;domain&gt;</c>, builds the
/// report, delivers it to the first <c>rua</c> that accepts, retries failures with exponential back-off for up to 24 h,
/// and keeps the counters and the list of sent reports in the policy store (a file or a shared cache), so that a restart
/// loses nothing and sends nothing twice.
/// </summary>
public sealed partial class TlsRptReporter
{
    private readonly string _countersKey;
    private readonly string _sentKey;
    private readonly IMtaStsPolicyStore? _store;
    private Task? _loading;
    private bool _loaded;
    private readonly TlsRptRecorder _recorder;
    private readonly IMtaStsTxtResolver _resolver;
    private readonly IReadOnlyList<ITlsRptTransport> _transports;
    private readonly TlsRptOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly HashSet<string> _sent = new(StringComparer.Ordinal);
    private readonly Lock _stateLock = new();
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, (TlsRptRecord? Record, string? Error, DateTimeOffset Until)> _records =
        new(StringComparer.Ordinal);

    /// <summary>Creates a reporter. Its state is kept in <paramref name="store"/>, or in <see cref="TlsRptOptions.StateDirectory"/>
    /// when no store is given; it is loaded before the first send (or by <see cref="LoadStateAsync"/>).</summary>
    /// <param name="recorder">Where sessions are counted.</param>
    /// <param name="resolver">The TXT resolver for <c>_smtp._tls</c> records.</param>
    /// <param name="transports">The delivery transports (https, mailto).</param>
    /// <param name="options">Who reports, and where state is kept.</param>
    /// <param name="timeProvider">The clock; <see langword="null"/> for the system clock.</param>
    /// <param name="logger">Where to log; <see langword="null"/> for nowhere.</param>
    /// <param name="store">Where counters and sent reports are kept (per sending host, under its machine name).</param>
    /// <exception cref="ArgumentException">The organisation name or contact address is missing.</exception>
    public TlsRptReporter(TlsRptRecorder recorder, IMtaStsTxtResolver resolver, IEnumerable<ITlsRptTransport> transports, TlsRptOptions options,
        TimeProvider? timeProvider = null, ILogger<TlsRptReporter>? logger = null, IMtaStsPolicyStore? store = null)
    {
        ArgumentNullException.ThrowIfNull(recorder);
        ArgumentNullException.ThrowIfNull(resolver);
        ArgumentNullException.ThrowIfNull(transports);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentException.ThrowIfNullOrWhiteSpace(options.OrganizationName);
        if (!options.ContactInfo.Contains('@', StringComparison.Ordinal))
        {
            throw new ArgumentException("ContactInfo must be an address (RFC 8460 §4.4).", nameof(options));
        }

        _recorder = recorder;
        _resolver = resolver;
        _transports = [.. transports];
        _options = options;
        _time = timeProvider ?? TimeProvider.System;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
        _store = store ?? (options.StateDirectory is null ? null : new FilePolicyStore(options.StateDirectory));
        var node = new string([.. Environment.MachineName.Where(char.IsAsciiLetterOrDigit)]);
        _countersKey = $"tlsrpt-counters-{node}";
        _sentKey = $"tlsrpt-sent-{node}";
    }

    /// <summary>Sends the reports of <paramref name="day"/> once: one outcome per domain.</summary>
    /// <param name="day">The UTC day (usually yesterday).</param>
    /// <param name="cancellationToken">Cancels sending.</param>
    /// <returns>The outcomes.</returns>
    public async Task<IReadOnlyList<TlsRptDeliveryOutcome>> SendDayAsync(DateOnly day, CancellationToken cancellationToken = default)
    {
        await LoadStateAsync(cancellationToken).ConfigureAwait(false);
        List<TlsRptDeliveryOutcome> outcomes = [];
        foreach (var domain in _recorder.Domains(day))
        {
            outcomes.Add(await SendAsync(domain, day, cancellationToken).ConfigureAwait(false));
        }

        await SaveStateAsync(cancellationToken).ConfigureAwait(false);
        return outcomes;
    }

    /// <summary>Sends the reports of <paramref name="day"/>, retrying failed ones with exponential back-off until <see cref="TlsRptOptions.RetryFor"/> has passed (RPT-20).</summary>
    /// <param name="day">The UTC day.</param>
    /// <param name="cancellationToken">Cancels sending and waiting.</param>
    /// <returns>The final outcome per domain.</returns>
    public async Task<IReadOnlyList<TlsRptDeliveryOutcome>> SendDayWithRetriesAsync(DateOnly day, CancellationToken cancellationToken = default)
    {
        var giveUpAt = _time.GetUtcNow() + _options.RetryFor;
        var delay = _options.FirstRetryDelay;
        var outcomes = (await SendDayAsync(day, cancellationToken).ConfigureAwait(false)).ToDictionary(o => o.Domain, StringComparer.Ordinal);
        while (outcomes.Values.Any(o => o.Status == TlsRptDeliveryStatus.Failed) && _time.GetUtcNow() + delay <= giveUpAt)
        {
            await Task.Delay(delay, _time, cancellationToken).ConfigureAwait(false);
            foreach (var failed in outcomes.Values.Where(o => o.Status == TlsRptDeliveryStatus.Failed).ToList())
            {
                outcomes[failed.Domain] = await SendAsync(failed.Domain, day, cancellationToken).ConfigureAwait(false);
            }

            await SaveStateAsync(cancellationToken).ConfigureAwait(false);
            delay *= 2;
        }

        return [.. outcomes.Values];
    }

    /// <summary>Saves the counters and the sent reports (for a restart); also done after every send.</summary>
    /// <param name="cancellationToken">Cancels the save.</param>
    /// <returns>A task that completes when the state is saved.</returns>
    public async Task SaveStateAsync(CancellationToken cancellationToken = default)
    {
        if (_store is null || !_loaded)
        {
            return; // never overwrite saved state that was not read yet
        }

        string counters, sent;
        lock (_stateLock)
        {
            counters = _recorder.ExportJson();
            sent = string.Join('\n', _sent);
        }

        try
        {
            await _store.SetStateAsync(_countersKey, counters, cancellationToken).ConfigureAwait(false);
            await _store.SetStateAsync(_sentKey, sent, cancellationToken).ConfigureAwait(false);
        }
#pragma warning disable CA1031 // the store is the application's; a failure is logged and retried at the next save
        catch (Exception ex) when (ex is not OperationCanceledException)
#pragma warning restore CA1031
        {
            LogStateUnreadable(_countersKey, ex.Message);
        }
    }

    /// <summary>Loads the saved counters and sent reports once (they are added to what is recorded already).</summary>
    /// <param name="cancellationToken">Cancels the load.</param>
    /// <returns>A task that completes when the state is loaded.</returns>
    public Task LoadStateAsync(CancellationToken cancellationToken = default)
    {
        lock (_stateLock)
        {
            _loading ??= LoadOnceAsync();
        }

        return _loading.WaitAsync(cancellationToken);
    }

    private async Task LoadOnceAsync()
    {
        if (_store is not null)
        {
            try
            {
                if (await _store.GetStateAsync(_countersKey).ConfigureAwait(false) is { Length: > 0 } counters)
                {
                    _recorder.ImportJson(counters);
                }

                if (await _store.GetStateAsync(_sentKey).ConfigureAwait(false) is { } sent)
                {
                    lock (_stateLock)
                    {
                        _sent.UnionWith(sent.Split('\n', StringSplitOptions.RemoveEmptyEntries));
                    }
                }
            }
#pragma warning disable CA1031 // unreadable state is logged; reporting goes on without it
            catch (Exception ex)
#pragma warning restore CA1031
            {
                LogStateUnreadable(_countersKey, ex.Message);
            }
        }

        _loaded = true;
    }

    private async Task<TlsRptDeliveryOutcome> SendAsync(string domain, DateOnly day, CancellationToken cancellationToken)
    {
        var report = _recorder.BuildReport(domain, day, _options.OrganizationName, _options.ContactInfo);
        if (report is null)
        {
            return new TlsRptDeliveryOutcome(domain, null, TlsRptDeliveryStatus.NoEndpoint, "nothing recorded");
        }

        lock (_stateLock)
        {
            if (_sent.Contains(report.ReportId))
            {
                _recorder.Forget(domain, day);
                return new TlsRptDeliveryOutcome(domain, report.ReportId, TlsRptDeliveryStatus.AlreadySent, null);
            }
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
        foreach (var uri in record.ReportingUris)
        {
            var transport = _transports.FirstOrDefault(t => t.CanDeliver(uri));
            if (transport is null)
            {
                failures.Add($"{uri.Scheme}: no transport registered");
                continue;
            }

            var failure = await transport.DeliverAsync(uri, envelope, cancellationToken).ConfigureAwait(false);
            if (failure is null)
            {
                lock (_stateLock)
                {
                    _sent.Add(report.ReportId);
                }

                _recorder.Forget(domain, day);
                LogDelivered(report.ReportId, domain, uri);
                return new TlsRptDeliveryOutcome(domain, report.ReportId, TlsRptDeliveryStatus.Delivered, uri.ToString());
            }

            failures.Add(failure);
        }

        LogFailed(report.ReportId, domain, string.Join("; ", failures));
        return new TlsRptDeliveryOutcome(domain, report.ReportId, TlsRptDeliveryStatus.Failed, string.Join("; ", failures));
    }

    // RPT-6, RPT-7: the _smtp._tls record, cached for its DNS TTL (at least a minute, at most a day). found is null on a
    // temporary DNS failure, which is retried and never cached.
    private async Task<(bool? Found, TlsRptRecord? Record, string? Error)> DiscoverAsync(string domain, CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow();
        if (_records.TryGetValue(domain, out var cached) && now < cached.Until)
        {
            return (cached.Record is not null, cached.Record, cached.Error);
        }

        var answer = await _resolver.ResolveTxtAsync("_smtp._tls." + domain, cancellationToken).ConfigureAwait(false);
        if (answer.Status == MtaStsTxtLookupStatus.TemporaryFailure)
        {
            return (null, null, answer.Detail);
        }

        var found = TlsRptRecord.Select(answer.Records, out var record, out var error) == MtaStsRecordSelection.Found;
        var ttl = answer.TimeToLive < TimeSpan.FromMinutes(1) ? TimeSpan.FromMinutes(1) : answer.TimeToLive > TimeSpan.FromDays(1) ? TimeSpan.FromDays(1) : answer.TimeToLive;
        _records[domain] = (found ? record : null, error ?? answer.Detail, now + ttl);
        return (found, record, error ?? answer.Detail);
    }


    [LoggerMessage(1000, LogLevel.Information, "TLS-RPT report {ReportId} for {Domain} delivered to {Uri}", EventName = "ReportDelivered")]
    private partial void LogDelivered(string reportId, string domain, Uri uri);

    [LoggerMessage(1001, LogLevel.Warning, "TLS-RPT report {ReportId} for {Domain} could not be delivered: {Failures}", EventName = "ReportFailed")]
    private partial void LogFailed(string reportId, string domain, string failures);

    [LoggerMessage(1002, LogLevel.Warning, "TLS-RPT state {Key} could not be read or saved: {Reason}", EventName = "ReportStateUnreadable")]
    private partial void LogStateUnreadable(string key, string reason);
}
