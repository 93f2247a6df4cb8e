using System.Diagnostics.Metrics;

namespace MtaSts.MailKit.Internal;

/// <summary>Instruments of the MailKit integration, on the <c>MtaSts.Net</c> meter.</summary>
internal static class MailKitTelemetry
{
    private static readonly Meter Meter = new("MtaSts.Net");

    private static readonly Counter<long> StrippedSessions = Meter.CreateCounter<long>(
        "mtasts.starttls.stripped", "{session}", "SMTP sessions whose EHLO reply shows STARTTLS likely stripped on path");

    public static void StartTlsStripped(string mxHost) =>
        StrippedSessions.Add(1, new KeyValuePair<string, object?>("server.address", mxHost));
}
