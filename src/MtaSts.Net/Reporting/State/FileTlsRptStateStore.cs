using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace MtaSts.Reporting;

/// <summary>
/// The state of one sender kept in <see cref="TlsRptOptions.StateDirectory"/>: the memory store, written to
/// <c>tlsrpt-state.json</c> after every change (a temporary file renamed into place, so a crash leaves the previous
/// file whole) and read back at start, so a restart loses no counters and sends no report twice. Leases are not kept:
/// one directory belongs to one sender. An unreadable file is logged and set aside as <c>.corrupt</c>.
/// </summary>
internal sealed partial class FileTlsRptStateStore : MemoryTlsRptStateStore
{
    private const string FileName = "tlsrpt-state.json";
    private readonly string _path;
    private readonly ILogger _logger;

    public FileTlsRptStateStore(string directory, TimeProvider time, int maxDomainsPerDay, ILogger? logger = null)
        : base(time, maxDomainsPerDay)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        _logger = logger ?? NullLogger.Instance;
        Directory.CreateDirectory(directory);
        _path = Path.Combine(Path.GetFullPath(directory), FileName);
        Load();
    }

    /// <inheritdoc/>
    public override ValueTask<long> AddAsync(IReadOnlyList<TlsRptCounts> counts, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(counts);
        lock (Gate)
        {
            var dropped = AddLocked(counts);
            SaveLocked();
            return new(dropped);
        }
    }

    /// <inheritdoc/>
    public override ValueTask CompleteAsync(string domain, DateOnly day, string owner, DateTimeOffset keepUntil, CancellationToken cancellationToken = default)
    {
        lock (Gate)
        {
            CompleteLocked(domain, day, owner, keepUntil);
            SaveLocked();
        }

        return ValueTask.CompletedTask;
    }

    /// <inheritdoc/>
    public override async ValueTask ForgetAsync(string domain, DateOnly day, CancellationToken cancellationToken = default)
    {
        await base.ForgetAsync(domain, day, cancellationToken).ConfigureAwait(false);
        lock (Gate)
        {
            SaveLocked();
        }
    }

    private void SaveLocked()
    {
        var (counts, sent) = SnapshotLocked();
        var temporary = $"{_path}.{Guid.NewGuid():N}.tmp";
        try
        {
            using (var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, 4096, FileOptions.WriteThrough))
            using (var json = new Utf8JsonWriter(stream))
            {
                json.WriteStartObject();
                json.WriteStartArray("counters");
                foreach (var entry in counts)
                {
                    json.WriteStartObject();
                    json.WriteString("domain", entry.Domain);
                    json.WriteString("day", entry.Day.ToString("O", CultureInfo.InvariantCulture));
                    json.WriteString("policy", entry.PolicyText);
                    json.WriteNumber("successes", entry.Successes);
                    json.WriteNumber("failures", entry.Failures);
                    json.WriteStartArray("details");
                    foreach (var detail in entry.Details)
                    {
                        detail.Write(json);
                    }

                    json.WriteEndArray();
                    json.WriteEndObject();
                }

                json.WriteEndArray();
                json.WriteStartArray("sent");
                foreach (var (domain, day, until) in sent)
                {
                    json.WriteStartObject();
                    json.WriteString("domain", domain);
                    json.WriteString("day", day.ToString("O", CultureInfo.InvariantCulture));
                    json.WriteNumber("until", until.ToUnixTimeSeconds());
                    json.WriteEndObject();
                }

                json.WriteEndArray();
                json.WriteEndObject();
            }

            File.Move(temporary, _path, overwrite: true); // rename: atomic on one file system
        }
        finally
        {
            if (File.Exists(temporary))
            {
                File.Delete(temporary);
            }
        }
    }

    private void Load()
    {
        if (!File.Exists(_path))
        {
            return;
        }

        List<TlsRptCounts> counts = [];
        List<(string, DateOnly, DateTimeOffset)> sent = [];
        try
        {
            using var document = JsonDocument.Parse(File.ReadAllBytes(_path));
            foreach (var item in TlsRptReport.Required(document.RootElement, "counters").EnumerateArray())
            {
                counts.Add(new TlsRptCounts(
                    TlsRptReport.RequiredString(item, "domain"),
                    DateOnly.Parse(TlsRptReport.RequiredString(item, "day"), CultureInfo.InvariantCulture),
                    TlsRptReport.OptionalString(item, "policy"),
                    TlsRptReport.Required(item, "successes").GetInt64(),
                    TlsRptReport.Required(item, "failures").GetInt64(),
                    [.. TlsRptReport.Required(item, "details").EnumerateArray().Select(TlsRptFailureDetail.Read)]));
            }

            foreach (var item in TlsRptReport.Required(document.RootElement, "sent").EnumerateArray())
            {
                sent.Add((TlsRptReport.RequiredString(item, "domain"), DateOnly.Parse(TlsRptReport.RequiredString(item, "day"), CultureInfo.InvariantCulture),
                    DateTimeOffset.FromUnixTimeSeconds(TlsRptReport.Required(item, "until").GetInt64())));
            }
        }
        catch (Exception ex) when (ex is JsonException or FormatException or InvalidOperationException or ArgumentException or IOException or UnauthorizedAccessException)
        {
            LogCorrupt(_path, ex.Message);
            TrySetAside();
            return;
        }

        lock (Gate)
        {
            RestoreLocked(counts, sent);
        }
    }

    private void TrySetAside()
    {
        try
        {
            File.Move(_path, _path + ".corrupt", overwrite: true);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            LogCorrupt(_path, "cannot set the file aside: " + ex.Message);
        }
    }

    [LoggerMessage(1011, LogLevel.Warning, "TLS-RPT state file {Path} is unusable and was set aside: {Reason}", EventName = "ReportStateCorrupt")]
    private partial void LogCorrupt(string path, string reason);
}
