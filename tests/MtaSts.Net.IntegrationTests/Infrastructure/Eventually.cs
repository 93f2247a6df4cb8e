using System.Diagnostics;

namespace MtaSts.IntegrationTests.Infrastructure;

/// <summary>Polls a condition that background work makes true, bounded in count and in time.</summary>
internal static class Eventually
{
    public static async Task<bool> TrueAsync(Func<Task<bool>> condition, TimeSpan? within = null)
    {
        var limit = within ?? TimeSpan.FromSeconds(10);
        var clock = Stopwatch.StartNew();
        for (var attempt = 0; attempt < 2_000; attempt++)
        {
            if (await condition())
            {
                return true;
            }

            if (clock.Elapsed > limit)
            {
                return false;
            }

            await Task.Delay(20);
        }

        return false;
    }
}
