using System.Collections.Concurrent;
using System.Text.Json;

namespace MtaSts.Reporting;

/// <summary>
/// Counts every session's MTA-STS outcome, successes too, by policy domain, policy and UTC day (RFC 8460 §4), and builds
/// the day's aggregate reports. Recording is cheap on the send path: no I/O, and domains never contend for a lock.
/// Under mode <c>none</c> no failure is recorded (RPT-23). The sessions that deliver reports are not recorded (RPT-18).
/// </summary>
public sealed class TlsRptRecorder
{
    private readonly ConcurrentDictionary<(string Domain, DateOnly Day), ConcurrentDictionary<string, PolicyCounters>> _days = new();
    private readonly TimeProvider _time;

    /// <summary>Creates a recorder.</summary>
    /// <param name="timeProvider">The clock that decides the UTC day; <see langword="null"/> for the system clock.</param>
    public TlsRptRecorder(TimeProvider? timeProvider = null) => _time = timeProvider ?? TimeProvider.System;

    /// <summary>Records one session: its decision under <paramref name="state"/>'s policy.</summary>
    /// <param name="state">The policy state the session ran under.</param>
    /// <param name="decision">The session's final decision (from <c>EvaluateTls</c>, or <c>EvaluateMx</c> for an MX refused before connecting).</param>
    /// <param name="session">Addresses and extra detail, when known.</param>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    public void Record(MtaStsPolicyState state, MtaStsDecision decision, TlsRptSession? session = null)
    {
        ArgumentNullException.ThrowIfNull(state);
        var day = DateOnly.FromDateTime(_time.GetUtcNow().UtcDateTime);
        var policies = _days.GetOrAdd((state.Domain, day), static _ => new ConcurrentDictionary<string, PolicyCounters>(StringComparer.Ordinal));
        var counters = policies.GetOrAdd(PolicyKey(state.Policy), static (_, policy) => new PolicyCounters(policy), state.Policy);
        var failure = decision.Failure;
        if (failure is null || state.Mode == MtaStsMode.None || state.Policy is null && !state.IsDiscoveryFailureReportable)
        {
            Interlocked.Increment(ref counters.Successes);
            return;
        }

        Interlocked.Increment(ref counters.Failures);
        var detail = new FailureKey(failure.ResultType, session?.SendingMtaIp, decision.MxHost, session?.ReceivingMxHelo, session?.ReceivingIp,
            session?.AdditionalInformation ?? failure.Detail, failure.ReasonCode);
        counters.Details.AddOrUpdate(detail, 1, static (_, n) => n + 1);
    }

    /// <summary>The domains with sessions recorded on <paramref name="day"/>.</summary>
    /// <param name="day">The UTC day.</param>
    /// <returns>The policy domains.</returns>
    public IReadOnlyList<string> Domains(DateOnly day) => [.. _days.Keys.Where(k => k.Day == day).Select(k => k.Domain).Order(StringComparer.Ordinal)];

    /// <summary>Builds the report of one domain for one UTC day, or <see langword="null"/> when nothing was recorded.</summary>
    /// <param name="domain">The policy domain.</param>
    /// <param name="day">The UTC day.</param>
    /// <param name="organizationName">The reporting organisation.</param>
    /// <param name="contactInfo">The contact address (its domain is the <c>TLS-Report-Submitter</c>).</param>
    /// <param name="reportId">The report id; <see langword="null"/> for a stable one derived from the domain and day.</param>
    /// <returns>The report.</returns>
    public TlsRptReport? BuildReport(string domain, DateOnly day, string organizationName, string contactInfo, string? reportId = null)
    {
        if (!_days.TryGetValue((domain, day), out var policies))
        {
            return null;
        }

        var start = new DateTimeOffset(day.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
        return new TlsRptReport(organizationName, start, start.AddDays(1).AddSeconds(-1), contactInfo,
            reportId ?? $"{day:yyyy-MM-dd}_{domain}@{contactInfo.Split('@')[^1]}",
            [.. policies.Values.Select(p => p.ToResult(domain))]);
    }

    /// <summary>Drops what was recorded for a domain and day (after its report was delivered).</summary>
    /// <param name="domain">The policy domain.</param>
    /// <param name="day">The UTC day.</param>
    public void Forget(string domain, DateOnly day) => _days.TryRemove((domain, day), out _);

    /// <summary>Writes every counter as JSON, to be saved across restarts.</summary>
    /// <returns>The JSON text.</returns>
    public string ExportJson()
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartArray();
            foreach (var ((domain, day), policies) in _days)
            {
                foreach (var counters in policies.Values)
                {
                    json.WriteStartObject();
                    json.WriteString("domain", domain);
                    json.WriteString("day", day.ToString("O", System.Globalization.CultureInfo.InvariantCulture));
                    json.WriteString("policy", counters.Policy?.Text);
                    json.WriteNumber("successes", Interlocked.Read(ref counters.Successes));
                    json.WriteNumber("failures", Interlocked.Read(ref counters.Failures));
                    json.WriteStartArray("details");
                    foreach (var (key, count) in counters.Details)
                    {
                        json.WriteStartObject();
                        json.WriteNumber("count", count);
                        json.WritePropertyName("detail");
                        new TlsRptFailureDetail(key.ResultType, key.SendingMtaIp, key.ReceivingMxHostname, key.ReceivingMxHelo, key.ReceivingIp, count,
                            key.AdditionalInformation, key.FailureReasonCode).Write(json);
                        json.WriteEndObject();
                    }

                    json.WriteEndArray();
                    json.WriteEndObject();
                }
            }

            json.WriteEndArray();
        }

        return System.Text.Encoding.UTF8.GetString(buffer.ToArray());
    }

    /// <summary>Adds counters saved by <see cref="ExportJson"/> (after a restart) to what is recorded now.</summary>
    /// <param name="json">The saved JSON.</param>
    /// <exception cref="JsonException">The text is not a saved state.</exception>
    public void ImportJson(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        using var document = JsonDocument.Parse(json);
        foreach (var item in document.RootElement.EnumerateArray())
        {
            var domain = TlsRptReport.RequiredString(item, "domain");
            var day = DateOnly.Parse(TlsRptReport.RequiredString(item, "day"), System.Globalization.CultureInfo.InvariantCulture);
            var text = TlsRptReport.OptionalString(item, "policy");
            MtaStsPolicy? policy = null;
            if (text is not null && !MtaStsPolicy.TryParse(text, MtaStsParsingMode.Lenient, out policy, out _))
            {
                continue;
            }

            var policies = _days.GetOrAdd((domain, day), static _ => new ConcurrentDictionary<string, PolicyCounters>(StringComparer.Ordinal));
            var counters = policies.GetOrAdd(PolicyKey(policy), static (_, p) => new PolicyCounters(p), policy);
            Interlocked.Add(ref counters.Successes, TlsRptReport.Required(item, "successes").GetInt64());
            Interlocked.Add(ref counters.Failures, TlsRptReport.Required(item, "failures").GetInt64());
            foreach (var saved in TlsRptReport.Required(item, "details").EnumerateArray())
            {
                var detail = TlsRptFailureDetail.Read(TlsRptReport.Required(saved, "detail"));
                var key = new FailureKey(detail.ResultType, detail.SendingMtaIp, detail.ReceivingMxHostname, detail.ReceivingMxHelo, detail.ReceivingIp,
                    detail.AdditionalInformation, detail.FailureReasonCode);
                var count = TlsRptReport.Required(saved, "count").GetInt64();
                counters.Details.AddOrUpdate(key, count, (_, n) => n + count);
            }
        }
    }

    private static string PolicyKey(MtaStsPolicy? policy) => policy?.Text ?? string.Empty;

    private sealed record FailureKey(string ResultType, string? SendingMtaIp, string? ReceivingMxHostname, string? ReceivingMxHelo, string? ReceivingIp,
        string? AdditionalInformation, string? FailureReasonCode);

    private sealed class PolicyCounters(MtaStsPolicy? policy)
    {
        public long Successes;
        public long Failures;

        public MtaStsPolicy? Policy { get; } = policy;

        public ConcurrentDictionary<FailureKey, long> Details { get; } = new();

        public TlsRptPolicyResult ToResult(string domain) => new(
            Policy is null ? "no-policy-found" : "sts",
            Policy is null ? [] : [.. Policy.Text.Split('\n').Select(l => l.TrimEnd('\r')).Where(l => l.Length > 0)],
            domain,
            Policy?.Mx ?? [],
            Interlocked.Read(ref Successes),
            Interlocked.Read(ref Failures),
            [.. Details.Select(d => new TlsRptFailureDetail(d.Key.ResultType, d.Key.SendingMtaIp, d.Key.ReceivingMxHostname, d.Key.ReceivingMxHelo,
                d.Key.ReceivingIp, d.Value, d.Key.AdditionalInformation, d.Key.FailureReasonCode))]);
    }
}
