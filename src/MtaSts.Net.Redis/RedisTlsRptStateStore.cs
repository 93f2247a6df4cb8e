using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using MtaSts.Reporting;
using StackExchange.Redis;

namespace MtaSts.Redis;

/// <summary>
/// TLS-RPT state shared by a fleet of senders in Redis. Counters are summed on the server (HINCRBY inside one script
/// per domain-day and policy), never read, changed and written back, so no sender's sessions overwrite another's. A
/// report is sent under a lease (<c>SET NX PX</c>) that lapses on its own when its sender crashes; the sender that
/// delivers it marks the domain-day sent, drops its counters and releases the lease in one script. Bounds: the
/// domains of a day, the policies of a domain-day and the details of a policy, checked in the same scripts; every key
/// expires once its day can no longer be reported.
/// </summary>
internal sealed partial class RedisTlsRptStateStore : ITlsRptStateStore, IAsyncDisposable
{
    private readonly Func<CancellationToken, Task<IDatabase>> _database;
    private readonly IAsyncDisposable? _owned;
    private readonly string _prefix;
    private readonly TlsRptOptions _options;

    public RedisTlsRptStateStore(Func<CancellationToken, Task<IDatabase>> database, string keyPrefix, TlsRptOptions options, IAsyncDisposable? owned = null)
    {
        ArgumentNullException.ThrowIfNull(database);
        ArgumentException.ThrowIfNullOrWhiteSpace(keyPrefix);
        ArgumentNullException.ThrowIfNull(options);
        _database = database;
        _prefix = keyPrefix;
        _options = options;
        _owned = owned;
    }

    // How many days back ListAsync looks: older keys have expired.
    private int DaysKept => (int)Math.Min(366, Math.Ceiling(_options.MaxReportAge.TotalDays) + 2);

    public async ValueTask<long> AddAsync(IReadOnlyList<TlsRptCounts> counts, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(counts);
        var db = await _database(cancellationToken).ConfigureAwait(false);
        long dropped = 0;
        for (var i = 0; i < counts.Count; i++)
        {
            var entry = counts[i];
            List<RedisValue> args =
            [
                entry.Domain, Math.Max(1, _options.MaxDomainsPerDay), TlsRptTally.MaxPolicies, TlsRptTally.MaxDetails,
                PolicyId(entry.PolicyText), entry.PolicyText ?? string.Empty, entry.Successes, entry.Failures, ExpiresAt(entry.Day),
            ];
            foreach (var detail in entry.Details)
            {
                args.Add(TlsRptCounts.DetailKey(detail));
                args.Add(TlsRptCounts.DetailKey(TlsRptCounts.Overflow(detail.ResultType)));
                args.Add(detail.FailedSessionCount);
            }

            try
            {
                var result = await db.ScriptEvaluateAsync(AddScript, [Counters(entry.Domain, entry.Day), Domains(entry.Day)], [.. args]).ConfigureAwait(false);
                dropped += (long)result;
            }
            catch (Exception ex) when (ex is RedisException or TimeoutException)
            {
                throw new TlsRptStateStoreException(i, ex);
            }
        }

        return dropped;
    }

    public async ValueTask<IReadOnlyList<(string Domain, DateOnly Day)>> ListAsync(DateOnly until, CancellationToken cancellationToken = default)
    {
        var db = await _database(cancellationToken).ConfigureAwait(false);
        List<(string, DateOnly)> held = [];
        for (var day = until.AddDays(-DaysKept); day <= until; day = day.AddDays(1))
        {
            foreach (var domain in (await db.SetMembersAsync(Domains(day)).ConfigureAwait(false)).Select(m => (string)m!).Order(StringComparer.Ordinal))
            {
                held.Add((domain, day));
            }
        }

        return held;
    }

    public async ValueTask<IReadOnlyList<TlsRptCounts>> ReadAsync(string domain, DateOnly day, CancellationToken cancellationToken = default)
    {
        var db = await _database(cancellationToken).ConfigureAwait(false);
        var fields = (await db.HashGetAllAsync(Counters(domain, day)).ConfigureAwait(false)).ToDictionary(f => (string)f.Name!, f => f.Value, StringComparer.Ordinal);
        List<TlsRptCounts> counts = [];
        foreach (var (name, text) in fields.Where(f => f.Key.StartsWith("t:", StringComparison.Ordinal)))
        {
            var id = name[2..];
            List<TlsRptFailureDetail> details = [];
            foreach (var (field, count) in fields.Where(f => f.Key.StartsWith($"d:{id}:", StringComparison.Ordinal)))
            {
                try
                {
                    details.Add(TlsRptCounts.ReadDetail(field[(id.Length + 3)..], (long)count));
                }
                catch (Exception ex) when (ex is System.Text.Json.JsonException or InvalidOperationException or FormatException)
                {
                    // Not written by this store: left out of the report.
                }
            }

            counts.Add(new TlsRptCounts(domain, day, id == "none" ? null : (string?)text, Number(fields, "s:" + id), Number(fields, "f:" + id), details));
        }

        return counts;
    }

    public async ValueTask<bool> TryLeaseAsync(string domain, DateOnly day, string owner, TimeSpan duration, CancellationToken cancellationToken = default)
    {
        var db = await _database(cancellationToken).ConfigureAwait(false);
        return await db.StringSetAsync(Lease(domain, day), owner, duration, When.NotExists).ConfigureAwait(false);
    }

    public async ValueTask ReleaseAsync(string domain, DateOnly day, string owner, CancellationToken cancellationToken = default)
    {
        var db = await _database(cancellationToken).ConfigureAwait(false);
        await db.ScriptEvaluateAsync(ReleaseScript, [Lease(domain, day)], [owner]).ConfigureAwait(false);
    }

    public async ValueTask<bool> IsSentAsync(string domain, DateOnly day, CancellationToken cancellationToken = default)
    {
        var db = await _database(cancellationToken).ConfigureAwait(false);
        return await db.KeyExistsAsync(Sent(domain, day)).ConfigureAwait(false);
    }

    public async ValueTask CompleteAsync(string domain, DateOnly day, string owner, DateTimeOffset keepUntil, CancellationToken cancellationToken = default)
    {
        var db = await _database(cancellationToken).ConfigureAwait(false);
        await db.ScriptEvaluateAsync(CompleteScript, [Sent(domain, day), Counters(domain, day), Domains(day), Lease(domain, day)],
            [domain, keepUntil.ToUnixTimeSeconds(), owner]).ConfigureAwait(false);
    }

    public async ValueTask ForgetAsync(string domain, DateOnly day, CancellationToken cancellationToken = default)
    {
        var db = await _database(cancellationToken).ConfigureAwait(false);
        var batch = db.CreateTransaction();
        var deleted = batch.KeyDeleteAsync(Counters(domain, day));
        var removed = batch.SetRemoveAsync(Domains(day), domain);
        await batch.ExecuteAsync().ConfigureAwait(false);
        await Task.WhenAll(deleted, removed).ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        if (_owned is not null)
        {
            await _owned.DisposeAsync().ConfigureAwait(false);
        }
    }

    private static long Number(Dictionary<string, RedisValue> fields, string name) =>
        fields.TryGetValue(name, out var value) && value.TryParse(out long number) ? number : 0;

    // The policy text can be 64 KiB: its hash names it inside field names.
    private static string PolicyId(string? text) =>
        text is null ? "none" : Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));

    private long ExpiresAt(DateOnly day) =>
        new DateTimeOffset(day.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero).AddDays(DaysKept + 1).ToUnixTimeSeconds();

    private RedisKey Tag(DateOnly day) => $"{_prefix}{{{day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)}}}";

    private RedisKey Domains(DateOnly day) => Tag(day).Append(":domains");

    private RedisKey Counters(string domain, DateOnly day) => Tag(day).Append(":c:" + domain);

    private RedisKey Sent(string domain, DateOnly day) => Tag(day).Append(":sent:" + domain);

    private RedisKey Lease(string domain, DateOnly day) => Tag(day).Append(":lease:" + domain);
}
