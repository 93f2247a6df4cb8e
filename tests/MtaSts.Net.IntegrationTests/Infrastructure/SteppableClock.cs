namespace MtaSts.IntegrationTests.Infrastructure;

/// <summary>
/// A clock whose wall time can be stepped (an NTP correction, a restored snapshot) independently of its monotonic
/// timestamp, which only moves forward with <see cref="Advance"/>. Timers are the system's.
/// </summary>
public sealed class SteppableClock : TimeProvider
{
    private readonly DateTimeOffset _start = DateTimeOffset.UtcNow;
    private long _elapsedTicks;

    /// <summary>How far the wall clock is off the monotonic one.</summary>
    public TimeSpan WallOffset { get; set; }

    public override long TimestampFrequency => TimeSpan.TicksPerSecond;

    public override DateTimeOffset GetUtcNow() => _start + TimeSpan.FromTicks(Interlocked.Read(ref _elapsedTicks)) + WallOffset;

    public override long GetTimestamp() => Interlocked.Read(ref _elapsedTicks);

    /// <summary>Lets time pass: both clocks move.</summary>
    public void Advance(TimeSpan span) => Interlocked.Add(ref _elapsedTicks, span.Ticks);
}
