using BenchmarkDotNet.Running;
using MtaSts.Benchmarks;

// dotnet run -c Release --project benchmarks/MtaSts.Net.Benchmarks -- --filter '*' --job short
// dotnet run -c Release --project benchmarks/MtaSts.Net.Benchmarks -- --memory      (100,000 cached policies)
if (args.Contains("--memory"))
{
    return MemoryFootprint.Run();
}

BenchmarkSwitcher.FromAssembly(typeof(CachedDecisionBenchmarks).Assembly).Run(args);
return 0;
