using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace MtaSts.MailKit.Internal;

/// <summary>Instruments of the MailKit integration, on the <c>MtaSts.Net</c> meter.</summary>
internal static class MailKitTelemetry
{
    public const string ModeTag = "mtasts.mode";
    public const string VerdictTag = "mtasts.verdict";

    private static readonly Meter Meter = new(MtaStsInstrumentation.MeterName);

    private static readonly Counter<long> StrippedSessions = Meter.CreateCounter<long>(
        "mtasts.starttls.stripped", "{session}", "SMTP sessions whose EHLO reply shows STARTTLS likely stripped on path");

    /// <summary>
    /// Counts one stripped session. Tags are bounded (mode, verdict: three values each): the MX host name would make one
    /// time series per MX, so it goes to the current trace (and the sender's log) instead.
    /// </summary>
    public static void StartTlsStripped(string mxHost, MtaStsMode mode, MtaStsVerdict verdict)
    {
        StrippedSessions.Add(1, new KeyValuePair<string, object?>(ModeTag, ModeName(mode)), new KeyValuePair<string, object?>(VerdictTag, VerdictName(verdict)));
        Activity.Current?.AddEvent(new ActivityEvent("mtasts.starttls.stripped", tags: new ActivityTagsCollection { ["server.address"] = mxHost }));
    }

    private static string ModeName(MtaStsMode mode) => mode switch
    {
        MtaStsMode.Enforce => "enforce",
        MtaStsMode.Testing => "testing",
        _ => "none",
    };

    private static string VerdictName(MtaStsVerdict verdict) => verdict switch
    {
        MtaStsVerdict.Deliver => "deliver",
        MtaStsVerdict.DeliverAndReport => "deliver_and_report",
        _ => "fail_closed",
    };
}
