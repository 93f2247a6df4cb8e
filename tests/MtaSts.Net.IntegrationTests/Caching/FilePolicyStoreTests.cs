using MtaSts.Caching;
using MtaSts.IntegrationTests.Infrastructure;

namespace MtaSts.IntegrationTests.Caching;

/// <summary>Temporary files that crashed writes leave behind (CACHE-11: the store survives restarts, so must its directory).</summary>
public sealed class FilePolicyStoreTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "mtasts-file-" + Guid.NewGuid().ToString("N"));

    public FilePolicyStoreTests() => Directory.CreateDirectory(_directory);

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task Start_RemovesTemporaryFilesOlderThanAMinute_KeepsRecentOnesAndPolicies()
    {
        await new FilePolicyStore(_directory).SetAsync(Policy("example.com"));
        var stale = LeftByACrash("example.org", age: TimeSpan.FromMinutes(2));
        var recent = LeftByACrash("example.net", age: TimeSpan.FromSeconds(5)); // maybe another process's write in progress

        var store = new FilePolicyStore(_directory);

        File.Exists(stale).Should().BeFalse("a temporary file older than a minute belongs to a crashed write");
        File.Exists(recent).Should().BeTrue("a recent one may be a write in progress");
        (await store.GetAsync("example.com"))!.RecordId.Should().Be("1");
    }

    [Fact]
    public async Task ClearAsync_RemovesTemporaryFilesLeftByACrash()
    {
        var store = new FilePolicyStore(_directory);
        await store.SetAsync(Policy("example.com"));
        LeftByACrash("example.org", age: TimeSpan.FromSeconds(5));

        await store.ClearAsync();

        Directory.GetFiles(_directory).Should().BeEmpty("policies and temporary files are gone");
    }

    // What a process killed between writing and renaming leaves: a half-written temporary file under our naming.
    private string LeftByACrash(string domain, TimeSpan age)
    {
        var path = Path.Combine(_directory, $".{domain}.mtasts.json.{Guid.NewGuid():N}.tmp");
        File.WriteAllText(path, "{\"domain\":\"" + domain + "\",\"recordId\":\"2\",\"pol");
        File.SetLastWriteTimeUtc(path, DateTime.UtcNow - age);
        return path;
    }

    private static MtaStsStoredPolicy Policy(string domain) => new(domain, "1", TestWorld.EnforcePolicy, DateTimeOffset.UtcNow);
}
