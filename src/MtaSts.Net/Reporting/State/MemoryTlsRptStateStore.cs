namespace MtaSts.Reporting;

/// <summary>
/// The default state store: process memory (lost on restart), for one sender. Bounded by
/// <see cref="TlsRptOptions.MaxDomainsPerDay"/> domains per day; sent markers and leases expire.
/// </summary>
internal class MemoryTlsRptStateStore(TimeProvider time, int maxDomainsPerDay) : ITlsRptStateStore
{
    private readonly Dictionary<(string Domain, DateOnly Day), TlsRptTally> _tallies = [];
    private readonly Dictionary<DateOnly, int> _domainsPerDay = [];
    private readonly Dictionary<(string Domain, DateOnly Day), DateTimeOffset> _sent = [];
    private readonly Dictionary<(string Domain, DateOnly Day), (string Owner, DateTimeOffset Until)> _leases = [];
    private readonly int _maxDomainsPerDay = Math.Max(1, maxDomainsPerDay);

    /// <summary>Guards every collection (and, in the file store, the file).</summary>
    protected Lock Gate { get; } = new();

    /// <inheritdoc/>
    public virtual ValueTask<long> AddAsync(IReadOnlyList<TlsRptCounts> counts, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(counts);
        lock (Gate)
        {
            return new(AddLocked(counts));
        }
    }

    /// <inheritdoc/>
    public ValueTask<IReadOnlyList<(string Domain, DateOnly Day)>> ListAsync(DateOnly until, CancellationToken cancellationToken = default)
    {
        lock (Gate)
        {
            return new([.. _tallies.Keys.Where(k => k.Day <= until).OrderBy(k => k.Day).ThenBy(k => k.Domain, StringComparer.Ordinal)]);
        }
    }

    /// <inheritdoc/>
    public ValueTask<IReadOnlyList<TlsRptCounts>> ReadAsync(string domain, DateOnly day, CancellationToken cancellationToken = default)
    {
        lock (Gate)
        {
            return new(_tallies.TryGetValue((domain, day), out var tally) ? tally.ToCounts(domain, day) : []);
        }
    }

    /// <inheritdoc/>
    public ValueTask<bool> TryLeaseAsync(string domain, DateOnly day, string owner, TimeSpan duration, CancellationToken cancellationToken = default)
    {
        var now = time.GetUtcNow();
        lock (Gate)
        {
            if (_leases.TryGetValue((domain, day), out var lease) && lease.Until > now && lease.Owner != owner)
            {
                return new(false);
            }

            _leases[(domain, day)] = (owner, now + duration);
            return new(true);
        }
    }

    /// <inheritdoc/>
    public ValueTask ReleaseAsync(string domain, DateOnly day, string owner, CancellationToken cancellationToken = default)
    {
        lock (Gate)
        {
            if (_leases.TryGetValue((domain, day), out var lease) && lease.Owner == owner)
            {
                _leases.Remove((domain, day));
            }
        }

        return ValueTask.CompletedTask;
    }

    /// <inheritdoc/>
    public ValueTask<bool> IsSentAsync(string domain, DateOnly day, CancellationToken cancellationToken = default)
    {
        lock (Gate)
        {
            return new(_sent.TryGetValue((domain, day), out var until) && until > time.GetUtcNow());
        }
    }

    /// <inheritdoc/>
    public virtual ValueTask CompleteAsync(string domain, DateOnly day, string owner, DateTimeOffset keepUntil, CancellationToken cancellationToken = default)
    {
        lock (Gate)
        {
            CompleteLocked(domain, day, owner, keepUntil);
        }

        return ValueTask.CompletedTask;
    }

    /// <inheritdoc/>
    public virtual ValueTask ForgetAsync(string domain, DateOnly day, CancellationToken cancellationToken = default)
    {
        lock (Gate)
        {
            ForgetLocked(domain, day);
        }

        return ValueTask.CompletedTask;
    }

    /// <summary>Adds counters (under <see cref="Gate"/>).</summary>
    protected long AddLocked(IEnumerable<TlsRptCounts> counts)
    {
        PruneLocked();
        long dropped = 0;
        foreach (var entry in counts)
        {
            if (!_tallies.TryGetValue((entry.Domain, entry.Day), out var tally))
            {
                var domains = _domainsPerDay.GetValueOrDefault(entry.Day);
                if (domains >= _maxDomainsPerDay)
                {
                    dropped += entry.Successes + entry.Failures;
                    continue;
                }

                _tallies[(entry.Domain, entry.Day)] = tally = new TlsRptTally();
                _domainsPerDay[entry.Day] = domains + 1;
            }

            dropped += tally.Add(entry);
        }

        return dropped;
    }

    /// <summary>Marks a domain-day sent (under <see cref="Gate"/>).</summary>
    protected void CompleteLocked(string domain, DateOnly day, string? owner, DateTimeOffset keepUntil)
    {
        _sent[(domain, day)] = keepUntil;
        ForgetLocked(domain, day);
        if (owner is null || (_leases.TryGetValue((domain, day), out var lease) && lease.Owner == owner))
        {
            _leases.Remove((domain, day));
        }
    }

    /// <summary>Every tally and unexpired sent marker (under <see cref="Gate"/>), for the file store.</summary>
    protected (IReadOnlyList<TlsRptCounts> Counts, IReadOnlyList<(string Domain, DateOnly Day, DateTimeOffset Until)> Sent) SnapshotLocked()
    {
        PruneLocked();
        return ([.. _tallies.SelectMany(t => t.Value.ToCounts(t.Key.Domain, t.Key.Day))], [.. _sent.Select(s => (s.Key.Domain, s.Key.Day, s.Value))]);
    }

    /// <summary>Takes back a snapshot (under <see cref="Gate"/>), for the file store.</summary>
    protected void RestoreLocked(IEnumerable<TlsRptCounts> counts, IEnumerable<(string Domain, DateOnly Day, DateTimeOffset Until)> sent)
    {
        AddLocked(counts);
        foreach (var (domain, day, until) in sent)
        {
            _sent[(domain, day)] = until;
        }
    }

    private void ForgetLocked(string domain, DateOnly day)
    {
        if (_tallies.Remove((domain, day)) && _domainsPerDay.TryGetValue(day, out var domains))
        {
            _domainsPerDay[day] = domains - 1;
        }
    }

    // Sent markers and leases are bounded by expiry; a day's domain count goes with its last tally.
    private void PruneLocked()
    {
        var now = time.GetUtcNow();
        foreach (var key in _sent.Where(s => s.Value <= now).Select(s => s.Key).ToList())
        {
            _sent.Remove(key);
        }

        foreach (var key in _leases.Where(l => l.Value.Until <= now).Select(l => l.Key).ToList())
        {
            _leases.Remove(key);
        }

        foreach (var day in _domainsPerDay.Where(d => d.Value <= 0).Select(d => d.Key).ToList())
        {
            _domainsPerDay.Remove(day);
        }
    }
}
