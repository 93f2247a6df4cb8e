#region observability-usings
using System.Diagnostics;
using System.Diagnostics.Metrics;
using MtaSts;
#endregion

namespace MtaSts.Snippets;

/// <summary>docs and package READMEs: subscribing to the library's telemetry by its public names.</summary>
public static class Observability
{
    public static IDisposable Listen()
    {
        #region observability
        // OpenTelemetry: .WithMetrics(m => m.AddMeter(MtaStsInstrumentation.MeterName))
        //                .WithTracing(t => t.AddSource(MtaStsInstrumentation.ActivitySourceName))
        var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == MtaStsInstrumentation.MeterName) l.EnableMeasurementEvents(instrument);
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) => Console.WriteLine($"{instrument.Name} +{value}"));
        listener.Start();
        ActivitySource.AddActivityListener(new ActivityListener
        {
            ShouldListenTo = source => source.Name == MtaStsInstrumentation.ActivitySourceName,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllData,
            ActivityStopped = activity => Console.WriteLine($"{activity.DisplayName} {activity.Duration.TotalMilliseconds:0} ms"),
        });
        #endregion
        return listener;
    }
}
