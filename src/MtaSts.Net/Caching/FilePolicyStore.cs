using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace MtaSts.Caching;

/// <summary>
/// A durable store: one JSON file per domain in a directory, written to a temporary file and renamed into place, so a
/// crash mid-write leaves the previous file whole. A corrupt or unreadable file is skipped with a warning.
/// </summary>
public sealed partial class FilePolicyStore : IMtaStsPolicyStore
{
    private const string Extension = ".mtasts.json";
    private const string TemporaryExtension = ".tmp";
    private static readonly TimeSpan StaleTemporaryAge = TimeSpan.FromMinutes(1);
    private readonly string _directory;
    private readonly ILogger _logger;

    /// <summary>Creates a store in <paramref name="directory"/> (created when missing).</summary>
    /// <param name="directory">Where the policy files live.</param>
    /// <param name="logger">Where to warn about corrupt files; <see langword="null"/> for nowhere.</param>
    /// <exception cref="ArgumentException"><paramref name="directory"/> is empty.</exception>
    public FilePolicyStore(string directory, ILogger<FilePolicyStore>? logger = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        _directory = Path.GetFullPath(directory);
        _logger = (ILogger?)logger ?? NullLogger.Instance;
        Directory.CreateDirectory(_directory);

        // A crash between a write and its rename leaves a temporary file. One older than a minute belongs to no write
        // in progress (ours or another process's sharing the directory): remove it.
        DeleteTemporaryFiles(olderThan: TimeProvider.System.GetUtcNow().UtcDateTime - StaleTemporaryAge);
    }

    /// <inheritdoc/>
    public async ValueTask<MtaStsStoredPolicy?> GetAsync(string domain, CancellationToken cancellationToken = default)
    {
        var path = PathOf(domain);
        if (!File.Exists(path))
        {
            return null;
        }

        try
        {
            var stream = File.OpenRead(path);
            await using (stream.ConfigureAwait(false))
            {
                var policy = await JsonSerializer.DeserializeAsync(stream, StoredPolicyJsonContext.Default.MtaStsStoredPolicy, cancellationToken).ConfigureAwait(false);
                if (policy is null || !string.Equals(policy.Domain, domain, StringComparison.Ordinal) || policy.PolicyText is null || policy.RecordId is null)
                {
                    LogCorrupt(path, "the file does not describe this domain");
                    return null;
                }

                return policy;
            }
        }
        catch (Exception ex) when (ex is JsonException or IOException or UnauthorizedAccessException or NotSupportedException)
        {
            LogCorrupt(path, ex.Message);
            return null;
        }
    }

    /// <inheritdoc/>
    public ValueTask SetAsync(MtaStsStoredPolicy policy, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(policy);
        return WriteAtomicallyAsync(PathOf(policy.Domain),
            (stream, ct) => JsonSerializer.SerializeAsync(stream, policy, StoredPolicyJsonContext.Default.MtaStsStoredPolicy, ct), cancellationToken);
    }

    /// <inheritdoc/>
    public ValueTask RemoveAsync(string domain, CancellationToken cancellationToken = default)
    {
        File.Delete(PathOf(domain));
        return ValueTask.CompletedTask;
    }

    /// <inheritdoc/>
    /// <remarks>Also removes the temporary files that crashed writes left behind.</remarks>
    public ValueTask ClearAsync(CancellationToken cancellationToken = default)
    {
        foreach (var path in Directory.EnumerateFiles(_directory, "*" + Extension))
        {
            File.Delete(path);
        }

        DeleteTemporaryFiles(olderThan: DateTime.MaxValue);
        return ValueTask.CompletedTask;
    }

    // Write to a temporary file in the same directory, then rename over the target: a crash mid-write leaves the
    // previous file whole.
    private async ValueTask WriteAtomicallyAsync(string path, Func<Stream, CancellationToken, Task> write, CancellationToken cancellationToken)
    {
        var temporary = Path.Combine(_directory, $".{Path.GetFileName(path)}.{Guid.NewGuid():N}{TemporaryExtension}");
        try
        {
            var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, 4096, FileOptions.WriteThrough);
            await using (stream.ConfigureAwait(false))
            {
                await write(stream, cancellationToken).ConfigureAwait(false);
                await stream.FlushAsync(cancellationToken).ConfigureAwait(false);
            }

            File.Move(temporary, path, overwrite: true); // rename: atomic on one file system
        }
        finally
        {
            if (File.Exists(temporary))
            {
                File.Delete(temporary);
            }
        }
    }

    // Only our own temporary names (".<file>.<guid>.tmp"); a write in progress whose file vanishes fails and is logged.
    private void DeleteTemporaryFiles(DateTime olderThan)
    {
        foreach (var path in Directory.EnumerateFiles(_directory, ".*" + TemporaryExtension))
        {
            try
            {
                if (File.GetLastWriteTimeUtc(path) < olderThan)
                {
                    File.Delete(path);
                }
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                LogCorrupt(path, "cannot remove the temporary file: " + ex.Message);
            }
        }
    }

    // Domains are normalised host names (letters, digits, '-', '.'), so they are safe file names as they are.
    private string PathOf(string domain) =>
        Internal.DomainName.IsHostName(domain)
            ? Path.Combine(_directory, domain + Extension)
            : throw new ArgumentException($"'{domain}' is not a normalised domain name.", nameof(domain));

    [LoggerMessage(410, LogLevel.Warning, "Skipping the stored MTA-STS policy {Path}: {Reason}", EventName = "StoredPolicyCorrupt")]
    private partial void LogCorrupt(string path, string reason);
}
