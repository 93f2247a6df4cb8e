using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using MtaSts.Decisions;
using MtaSts.Reporting;
using MtaSts.Tests.Fakes;

namespace MtaSts.Tests.Reporting;

/// <summary>A reporter over fakes at its seams (TXT resolver, transports, store) and a fake clock at 2026-11-27 15:00 UTC.</summary>
internal sealed class ReporterKit
{
    public static readonly DateOnly Day = new(2026, 11, 27);

    public ReporterKit(Action<TlsRptOptions>? configure = null)
    {
        configure?.Invoke(Options);
        Recorder = new TlsRptRecorder(Time, Options);
        Store = new StateStore(Time, Options.MaxDomainsPerDay);
    }

    public FakeTimeProvider Time { get; } = new(new DateTimeOffset(2026, 11, 27, 15, 0, 0, TimeSpan.Zero));

    public TlsRptOptions Options { get; } = new() { OrganizationName = "Sender", ContactInfo = "tlsrpt@sender.example", InstanceId = "test-1" };

    public TlsRptRecorder Recorder { get; private set; }

    public FakeTxtResolver Dns { get; } = new();

    public FakeTransport Https { get; set; } = new("https");

    public FakeTransport Mail { get; set; } = new("mailto");

    public StateStore Store { get; set; } = null!;

    public ListLogger Log { get; } = new();

    /// <summary>A fresh recorder, as after a restart (same clock and options).</summary>
    public TlsRptRecorder Restart() => Recorder = new TlsRptRecorder(Time, Options);

    public TlsRptReporter Reporter() => new(Recorder, Dns, [Https, Mail], Options, Time, Log, Store);

    /// <summary>Publishes <c>_smtp._tls.&lt;domain&gt;</c> with the given rua list.</summary>
    public ReporterKit Publish(string domain, string rua)
    {
        Dns.Set("_smtp._tls." + domain, "v=TLSRPTv1; rua=" + rua);
        return this;
    }

    /// <summary>Records one failed session (MX not in a testing policy) for <paramref name="domain"/>, now.</summary>
    public void Record(string domain, TlsRptRecorder? recorder = null)
    {
        MtaStsPolicy.TryParse($"version: STSv1\nmode: testing\nmx: mail.{domain}\nmax_age: 86400\n", out var policy, out _).Should().BeTrue();
        var state = MtaStsPolicyState.WithPolicy(domain, policy!, "1", Time.GetUtcNow(), new EvaluationSettings(Time, null, false), null, false);
        (recorder ?? Recorder).Record(state, state.EvaluateMx("evil.example.net"));
    }

    /// <summary>Collects log lines (a logger is a seam).</summary>
    internal sealed class ListLogger : ILogger<TlsRptReporter>
    {
        public System.Collections.Concurrent.ConcurrentQueue<(LogLevel Level, string Message)> Lines { get; } = new();

        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            Lines.Enqueue((logLevel, formatter(state, exception)));
    }
}
