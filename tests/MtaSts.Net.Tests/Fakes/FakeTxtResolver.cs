using System.Collections.Concurrent;
using MtaSts.Discovery;

namespace MtaSts.Tests.Fakes;

/// <summary>A TXT resolver backed by a dictionary (unit seam); unknown names are NXDOMAIN.</summary>
internal sealed class FakeTxtResolver : IMtaStsTxtResolver
{
    private readonly ConcurrentDictionary<string, string[]> _records = new(StringComparer.OrdinalIgnoreCase);
    private int _queries;

    public int Queries => Volatile.Read(ref _queries);

    public FakeTxtResolver Set(string name, params string[] records)
    {
        _records[name] = records;
        return this;
    }

    public ValueTask<MtaStsTxtLookupResult> ResolveTxtAsync(string name, CancellationToken cancellationToken = default)
    {
        Interlocked.Increment(ref _queries);
        return new(_records.TryGetValue(name, out var records)
            ? MtaStsTxtLookupResult.Found(records, TimeSpan.FromHours(1))
            : MtaStsTxtLookupResult.NotFound("NXDOMAIN"));
    }
}
