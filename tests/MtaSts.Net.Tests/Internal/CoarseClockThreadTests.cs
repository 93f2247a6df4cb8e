using MtaSts.Internal;

namespace MtaSts.Tests.Internal;

/// <summary>The coarse clock's thread lives as long as the process: it must not carry its first caller's context.</summary>
public sealed class CoarseClockThreadTests
{
    [Fact]
    public async Task StartNew_DoesNotCaptureTheCallersExecutionContext()
    {
        var clockThreadSawTheValue = false;
        var local = new AsyncLocal<string>(change =>
        {
            // Called on a thread that starts with a captured context holding the value (ThreadContextChanged).
            if (change.ThreadContextChanged && change.CurrentValue is not null && Thread.CurrentThread.Name == CoarseClock.ThreadName)
            {
                Volatile.Write(ref clockThreadSawTheValue, true);
            }
        })
        { Value = "a request's scope" };

        var clock = CoarseClock.StartNew();
        var started = clock.Now;
        for (var i = 0; i < 100 && clock.Now == started; i++) // bounded: the first tick comes after 250 ms
        {
            await Task.Delay(50);
        }

        clock.Now.Should().BeGreaterThan(started, "the thread ticked, so it has started");
        Volatile.Read(ref clockThreadSawTheValue).Should().BeFalse("the ticking thread runs without the caller's AsyncLocal values, Activity or scopes");
    }
}
