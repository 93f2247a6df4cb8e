using System.Collections.Concurrent;
using MtaSts.Reporting;

namespace MtaSts.Tests.Fakes;

/// <summary>The TLS-RPT state store (unit seam): the memory store, counting writes and failing on demand.</summary>
internal sealed class StateStore(TimeProvider time, int maxDomainsPerDay = 10_000) : ITlsRptStateStore
{
    public MemoryTlsRptStateStore Inner { get; } = new(time, maxDomainsPerDay);

    /// <summary>Every add, each the list of domains it carried.</summary>
    public ConcurrentQueue<string[]> Writes { get; } = new();

    /// <summary>While set, every call throws (a store that is down).</summary>
    public bool Fail { get; set; }

    /// <summary>While set, adds never complete and ignore their token (Redis down without a timeout, a hung file system).</summary>
    public bool Hang { get; set; }

    public ValueTask<long> AddAsync(IReadOnlyList<TlsRptCounts> counts, CancellationToken cancellationToken = default)
    {
        if (Hang)
        {
            return new ValueTask<long>(new TaskCompletionSource<long>().Task);
        }

        Check();
        Writes.Enqueue([.. counts.Select(c => c.Domain)]);
        return Inner.AddAsync(counts, cancellationToken);
    }

    public ValueTask<IReadOnlyList<(string Domain, DateOnly Day)>> ListAsync(DateOnly until, CancellationToken cancellationToken = default)
    {
        Check();
        return Inner.ListAsync(until, cancellationToken);
    }

    public ValueTask<IReadOnlyList<TlsRptCounts>> ReadAsync(string domain, DateOnly day, CancellationToken cancellationToken = default)
    {
        Check();
        return Inner.ReadAsync(domain, day, cancellationToken);
    }

    public ValueTask<bool> TryLeaseAsync(string domain, DateOnly day, string owner, TimeSpan duration, CancellationToken cancellationToken = default)
    {
        Check();
        return Inner.TryLeaseAsync(domain, day, owner, duration, cancellationToken);
    }

    public ValueTask ReleaseAsync(string domain, DateOnly day, string owner, CancellationToken cancellationToken = default) =>
        Inner.ReleaseAsync(domain, day, owner, cancellationToken);

    public ValueTask<bool> IsSentAsync(string domain, DateOnly day, CancellationToken cancellationToken = default)
    {
        Check();
        return Inner.IsSentAsync(domain, day, cancellationToken);
    }

    public ValueTask CompleteAsync(string domain, DateOnly day, string owner, DateTimeOffset keepUntil, CancellationToken cancellationToken = default)
    {
        Check();
        return Inner.CompleteAsync(domain, day, owner, keepUntil, cancellationToken);
    }

    public ValueTask ForgetAsync(string domain, DateOnly day, CancellationToken cancellationToken = default)
    {
        Check();
        return Inner.ForgetAsync(domain, day, cancellationToken);
    }

    private void Check()
    {
        if (Fail)
        {
            throw new IOException("store unavailable");
        }
    }
}
