using System.Diagnostics.Metrics;
using MtaSts.Telemetry;

namespace MtaSts.Reporting;

/// <summary>TLS-RPT instruments on the <c>MtaSts.Net</c> meter (from <see cref="IMeterFactory"/> when given).</summary>
internal sealed class TlsRptTelemetry
{
    private static readonly Lazy<TlsRptTelemetry> Shared = new(() => new TlsRptTelemetry(new Meter(MtaStsTelemetry.Name)));

    private TlsRptTelemetry(Meter meter)
    {
        SessionsDropped = meter.CreateCounter<long>("mtasts.tlsrpt.sessions.dropped", "{session}",
            "Sessions not counted for TLS-RPT because the day's domain limit was reached");
        Reports = meter.CreateCounter<long>("mtasts.tlsrpt.reports", "{report}", "TLS-RPT report attempts, by outcome");
        RunFailures = meter.CreateCounter<long>("mtasts.tlsrpt.run.failures", "{run}", "TLS-RPT runs that ended in an unexpected error");
    }

    public Counter<long> SessionsDropped { get; }

    public Counter<long> Reports { get; }

    public Counter<long> RunFailures { get; }

    public static TlsRptTelemetry Create(IMeterFactory? meterFactory) =>
        meterFactory is null ? Shared.Value : new TlsRptTelemetry(meterFactory.Create(MtaStsTelemetry.Name));
}
