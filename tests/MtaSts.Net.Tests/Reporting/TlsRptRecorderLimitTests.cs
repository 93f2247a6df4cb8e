using System.Diagnostics.Metrics;
using MtaSts.Reporting;

namespace MtaSts.Tests.Reporting;

/// <summary>B: the recorder's memory is bounded by a number of domains per day, with the overflow counted.</summary>
public class TlsRptRecorderLimitTests
{
    [Fact]
    public async Task Record_BeyondTheDomainLimit_NotCountedButMeasuredAndLogged()
    {
        var kit = new ReporterKit(o => o.MaxDomainsPerDay = 3);
        long measured = 0;
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == "MtaSts.Net" && instrument.Name == "mtasts.tlsrpt.sessions.dropped")
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((_, value, _, _) => Interlocked.Add(ref measured, value));
        listener.Start();

        for (var i = 0; i < 5; i++)
        {
            kit.Record($"d{i}.example");
            kit.Record($"d{i}.example");
        }

        kit.Recorder.Domains(ReporterKit.Day).Should().Equal(["d0.example", "d1.example", "d2.example"]);
        kit.Recorder.BuildReport("d0.example", ReporterKit.Day, "o", "a@b.example")!.Policies.Single().TotalFailureSessionCount
            .Should().Be(2, "known domains keep counting");
        Interlocked.Read(ref measured).Should().BeGreaterThanOrEqualTo(4, "the 4 sessions of the 2 extra domains (other tests may add more)");

        kit.Time.Advance(TimeSpan.FromDays(1));
        await kit.Reporter().SendPendingAsync();
        kit.Log.Lines.Should().Contain(l => l.Message.Contains("4 sessions", StringComparison.Ordinal));
    }
}
