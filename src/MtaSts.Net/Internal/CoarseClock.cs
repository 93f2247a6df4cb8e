namespace MtaSts.Internal;

/// <summary>
/// A monotonic timestamp of a <see cref="TimeProvider"/> refreshed by a timer every <see cref="Period"/>, so that a
/// cache hit reads one field instead of the clock. Only ever behind the real clock, by at most about one period: a
/// reader that needs a deadline honoured exactly treats "<c>Now + Period</c> before the deadline" as certainly fresh and
/// reads the real clock otherwise. Used with the system clock only; a test clock (FakeTimeProvider) is read directly,
/// so that tests see exact times.
/// </summary>
internal sealed class CoarseClock
{
    /// <summary>How often the timestamp is refreshed.</summary>
    public static readonly TimeSpan Period = TimeSpan.FromMilliseconds(250);

    private readonly TimeProvider _time;
    private long _now;
    private long _tickedAtMs = Environment.TickCount64;

    private CoarseClock(TimeProvider time, long period)
    {
        _time = time;
        PeriodTicks = period;
        _now = time.GetTimestamp();
    }

    /// <summary><see cref="Period"/> in the provider's timestamp units, plus scheduling slack (the timer may run late).</summary>
    public long PeriodTicks { get; }

    /// <summary>The timestamp at the last tick: at most about <see cref="PeriodTicks"/> behind the clock.</summary>
    public long Now => Volatile.Read(ref _now);

    /// <summary>
    /// Whether the timer has ticked within its slack (read from the OS's coarse millisecond counter): a timer held up by
    /// a starved thread pool must send readers to the real clock, not let them serve entries past their deadlines.
    /// </summary>
    public bool IsCurrent => Environment.TickCount64 - Volatile.Read(ref _tickedAtMs) < (long)(Period.TotalMilliseconds * 3);

    /// <summary>
    /// A coarse clock over <paramref name="time"/> when it is the system clock (with the timer that drives it, to be
    /// disposed by the owner), or <see langword="null"/>: read the provider directly.
    /// </summary>
    public static CoarseClock? For(TimeProvider time, out IDisposable? timer)
    {
        timer = null;
        if (time != TimeProvider.System)
        {
            return null;
        }

        // Slack: four periods, so that a timer delayed by a busy thread pool sends readers to the real clock rather
        // than serving an entry past its deadline (a delay beyond that is bounded by the pool, not by us).
        var clock = new CoarseClock(time, Timestamps.Add(time, 0, Period * 4));

        // The timer's state is the clock alone (no reference back to the timer or its owner): an owner dropped
        // without Dispose leaves nothing rooted but this small object, and the timer is finalised with its owner.
        timer = time.CreateTimer(static state => ((CoarseClock)state!).Tick(), clock, Period, Period);
        return clock;
    }

    private void Tick()
    {
        Volatile.Write(ref _now, _time.GetTimestamp());
        Volatile.Write(ref _tickedAtMs, Environment.TickCount64);
    }
}
