namespace MtaSts.Internal;

/// <summary>
/// Deadlines on the monotonic clock of a <see cref="TimeProvider"/> (<see cref="TimeProvider.GetTimestamp"/>): durations
/// measured there are immune to wall-clock steps (NTP corrections, a VM restored from a snapshot, an operator's typo).
/// </summary>
internal static class Timestamps
{
    /// <summary><paramref name="timestamp"/> plus <paramref name="span"/>, saturating instead of overflowing.</summary>
    public static long Add(TimeProvider time, long timestamp, TimeSpan span)
    {
        var units = span.Ticks * ((double)time.TimestampFrequency / TimeSpan.TicksPerSecond);
        var result = timestamp + units;
        return result >= long.MaxValue ? long.MaxValue : result <= long.MinValue ? long.MinValue : timestamp + (long)units;
    }

    /// <summary>The wall-clock time of <paramref name="timestamp"/>, given a pair of readings taken together (for logs).</summary>
    public static DateTimeOffset ToWallClock(TimeProvider time, long timestamp, long now, DateTimeOffset wallNow) =>
        timestamp == long.MaxValue ? DateTimeOffset.MaxValue
        : timestamp == long.MinValue ? DateTimeOffset.MinValue
        : wallNow + time.GetElapsedTime(now, timestamp);
}
