namespace MtaSts.Internal;

/// <summary>
/// A monotonic timestamp of the system clock refreshed every <see cref="Period"/>, so that a cache hit reads one field
/// instead of the clock (on a virtual machine a clock read costs several dictionary lookups). It is only ever behind the
/// real clock, by one period plus however late the tick runs. A reader treats an entry as certainly fresh when it is
/// still fresh at <c>Now + PeriodTicks</c> (four periods: one second) and reads the real clock otherwise, so deadlines
/// hold exactly while ticks run up to 750 ms late, and within the lateness beyond that. Ticks come from one background
/// thread for the whole process, not from the thread pool, so a starved pool (the usual reason timers run late) cannot
/// hold them up; its raised priority helps where the platform honours it (Windows; not Linux), and a saturated CPU can
/// still delay it. Used with the system clock only; a test clock (FakeTimeProvider) is read directly, so that tests see
/// exact times.
/// </summary>
internal sealed class CoarseClock
{
    /// <summary>How often the timestamp is refreshed.</summary>
    public static readonly TimeSpan Period = TimeSpan.FromMilliseconds(250);

    private static readonly Lazy<CoarseClock> System = new(StartNew, LazyThreadSafetyMode.ExecutionAndPublication);

    private long _now;

    private CoarseClock()
    {
        // Slack: four periods, so that a tick delayed by a busy machine sends readers to the real clock rather than
        // serving an entry past its deadline.
        PeriodTicks = Timestamps.Add(TimeProvider.System, 0, Period * 4);
        _now = TimeProvider.System.GetTimestamp();
    }

    /// <summary><see cref="Period"/> in the system clock's timestamp units, plus scheduling slack.</summary>
    public long PeriodTicks { get; }

    /// <summary>The timestamp at the last tick: at most about <see cref="PeriodTicks"/> behind the clock.</summary>
    public long Now => Volatile.Read(ref _now);

    /// <summary>The process's coarse clock when <paramref name="time"/> is the system clock, else <see langword="null"/>: read <paramref name="time"/> directly.</summary>
    public static CoarseClock? For(TimeProvider time) => time == TimeProvider.System ? System.Value : null;

    /// <summary>A clock with a ticking thread of its own (the process has one, <see cref="For"/>; tests make more).</summary>
    internal static CoarseClock StartNew()
    {
        var clock = new CoarseClock();
        var thread = new Thread(clock.Run) { IsBackground = true, Name = ThreadName, Priority = ThreadPriority.AboveNormal };
        // The thread lives as long as the process: it must not keep the first caller's execution context (its Activity,
        // logging scopes, AsyncLocal values of a request) alive with it.
        thread.UnsafeStart();
        return clock;
    }

    /// <summary>The name of the ticking thread.</summary>
    internal const string ThreadName = "MtaSts.Net coarse clock";

    // One tick per period for the life of the process (a background thread: it never keeps the process alive). Costs
    // one clock read every 250 ms.
    private void Run()
    {
        while (true)
        {
            Thread.Sleep(Period);
            Volatile.Write(ref _now, TimeProvider.System.GetTimestamp());
        }
    }
}
