using MtaSts.Caching;
using MtaSts.Decisions;

namespace MtaSts.Benchmarks;

/// <summary>
/// Retained memory of 100,000 cached policies, each with its own text, parsed policy, cache entry and hit state —
/// exactly what the enforcer keeps per domain. Target: ≤ 50 MB.
/// </summary>
internal static class MemoryFootprint
{
    public static int Run()
    {
        const int Domains = 100_000;
        var before = GC.GetTotalMemory(forceFullCollection: true);
        var cache = new PolicyCache(Domains);
        var now = DateTimeOffset.UtcNow;
        var ticks = TimeProvider.System.GetTimestamp();
        var hour = TimeProvider.System.TimestampFrequency * 3600;
        for (var i = 0; i < Domains; i++)
        {
            var domain = $"domain{i}.example";
            var text = $"version: STSv1\nmode: enforce\nmx: mx1.{domain}\nmx: *.mx.{domain}\nmax_age: 604800\n";
            MtaStsPolicy.TryParse(text, out var policy, out _);
            var state = MtaStsPolicyState.WithPolicy(domain, policy!, "20240101", now, EvaluationSettings.Default, null, false);
            cache.Set(new CacheEntry(state, ticks + hour, null, long.MinValue, ticks + (hour * 24 * 7)), ticks);
        }

        var after = GC.GetTotalMemory(forceFullCollection: true);
        GC.KeepAlive(cache);
        var megabytes = (after - before) / (1024.0 * 1024.0);
        Console.WriteLine($"{cache.Count:N0} cached policies retain {megabytes:0.0} MB ({(after - before) / (double)Domains:0} bytes each); target ≤ 50 MB");
        return megabytes <= 50 ? 0 : 1;
    }
}
