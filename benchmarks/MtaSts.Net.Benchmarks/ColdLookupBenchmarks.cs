using BenchmarkDotNet.Attributes;
using DnsClient;

namespace MtaSts.Benchmarks;

/// <summary>
/// An uncached lookup (TXT over DNS, policy over HTTPS, on loopback) against one bare DnsClient TXT query plus one bare
/// HttpClient GET of the same policy. Target: ≤ 1.2× the baseline.
/// </summary>
[MemoryDiagnoser]
public class ColdLookupBenchmarks
{
    private LoopbackWorld _world = null!;
    private MtaStsEnforcer _enforcer = null!;
    private LookupClient _dns = null!;
    private HttpClient _http = null!;

    [GlobalSetup]
    public void Setup()
    {
        _world = LoopbackWorld.StartAsync().GetAwaiter().GetResult();
        _enforcer = _world.Enforcer();
        _dns = new LookupClient(new LookupClientOptions(_world.DnsEndPoint) { UseCache = false });
        _http = _world.BareHttpClient();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _http.Dispose();
        _enforcer.Dispose();
        _world.DisposeAsync().AsTask().GetAwaiter().GetResult();
    }

    [Benchmark(Baseline = true)]
    public async Task<int> BareDnsAndHttp()
    {
        var txt = await _dns.QueryAsync("_mta-sts.example.com", QueryType.TXT);
        var body = await _http.GetStringAsync(new Uri("https://mta-sts.example.com/.well-known/mta-sts.txt"));
        return txt.Answers.Count + body.Length;
    }

    [Benchmark]
    public async Task<MtaStsPolicy?> ColdGetPolicy()
    {
        await _enforcer.InvalidateAsync("example.com");
        return (await _enforcer.GetPolicyAsync("example.com")).Policy;
    }
}
