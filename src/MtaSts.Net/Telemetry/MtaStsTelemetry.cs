using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace MtaSts.Telemetry;

/// <summary>
/// The <c>MtaSts.Net</c> meter and activity source. Durations are recorded in seconds, as the instruments declare.
/// With dependency injection the meter comes from <see cref="IMeterFactory"/>; without, it is created here.
/// </summary>
internal sealed class MtaStsTelemetry : IDisposable
{
    public const string Name = "MtaSts.Net";

    public static readonly ActivitySource ActivitySource = new(Name);

    private readonly Meter _meter;

    public MtaStsTelemetry(IMeterFactory? meterFactory)
    {
        _meter = meterFactory?.Create(Name) ?? new Meter(Name);
        ResolveDuration = _meter.CreateHistogram<double>("mtasts.policy.resolve.duration", "s", "Time to resolve a domain's MTA-STS policy (TXT lookup, fetch, parse)");
        FetchDuration = _meter.CreateHistogram<double>("mtasts.policy.fetch.duration", "s", "Time of one HTTPS policy fetch");
        Decisions = _meter.CreateCounter<long>("mtasts.decisions", "{decision}", "MTA-STS decisions, by mode, verdict and failure kind");
        Downgrades = _meter.CreateCounter<long>("mtasts.policy.downgrades", "{event}", "Events that weakened or threatened a cached policy");
        StrippedSessions = _meter.CreateCounter<long>("mtasts.starttls.stripped", "{session}",
            "SMTP sessions whose EHLO reply shows STARTTLS likely stripped on path");
    }

    public Histogram<double> ResolveDuration { get; }

    public Histogram<double> FetchDuration { get; }

    public Counter<long> Decisions { get; }

    public Counter<long> Downgrades { get; }

    public Counter<long> StrippedSessions { get; }

    public void RecordDecision(MtaStsMode mode, in MtaStsDecision decision)
    {
        if (!Decisions.Enabled)
        {
            return;
        }

        var tags = new TagList
        {
            { MtaStsTelemetryTags.Mode, ModeName(mode) },
            { MtaStsTelemetryTags.Verdict, VerdictName(decision.Verdict) },
        };
        if (decision.Failure is not null)
        {
            tags.Add(MtaStsTelemetryTags.FailureKind, decision.Failure.ResultType);
        }

        Decisions.Add(1, tags);
    }

    /// <summary>
    /// Counts one session with a stripped STARTTLS. Tags are bounded (mode, verdict: three values each): the MX host name
    /// would make one time series per MX, so it goes to the current trace (and the sender's log) instead.
    /// </summary>
    public void RecordStartTlsStripped(MtaStsMode mode, in MtaStsDecision decision)
    {
        StrippedSessions.Add(1, new KeyValuePair<string, object?>(MtaStsTelemetryTags.Mode, ModeName(mode)),
            new KeyValuePair<string, object?>(MtaStsTelemetryTags.Verdict, VerdictName(decision.Verdict)));
        Activity.Current?.AddEvent(new ActivityEvent("mtasts.starttls.stripped",
            tags: new ActivityTagsCollection { [MtaStsTelemetryTags.ServerAddress] = decision.MxHost }));
    }

    public static string ModeName(MtaStsMode mode) => mode switch
    {
        MtaStsMode.Enforce => "enforce",
        MtaStsMode.Testing => "testing",
        _ => "none",
    };

    public static string VerdictName(MtaStsVerdict verdict) => verdict switch
    {
        MtaStsVerdict.Deliver => "deliver",
        MtaStsVerdict.DeliverAndReport => "deliver_and_report",
        _ => "fail_closed",
    };

    public void Dispose() => _meter.Dispose();
}
