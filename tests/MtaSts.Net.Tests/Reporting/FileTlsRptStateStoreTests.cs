using Microsoft.Extensions.Time.Testing;
using MtaSts.Reporting;

namespace MtaSts.Tests.Reporting;

/// <summary>The file store: counters and sent markers survive a restart; an unreadable file is set aside, not fatal.</summary>
public sealed class FileTlsRptStateStoreTests : IDisposable
{
    private static readonly DateOnly Day = new(2026, 11, 27);
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "mtasts-tlsrpt-" + Guid.NewGuid().ToString("N"));
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 27, 15, 0, 0, TimeSpan.Zero));

    [Fact]
    public async Task Restart_CountersAndSentMarkersKept()
    {
        var store = new FileTlsRptStateStore(_directory, _time, 100);
        var detail = new TlsRptFailureDetail("validation-failure", "192.0.2.1", "mx.a.example", "mx.a.example", "198.51.100.7", 2, null, "mx-not-in-policy");
        await store.AddAsync([new TlsRptCounts("a.example", Day, "version: STSv1\nmode: testing\nmx: mx.a.example\nmax_age: 86400\n", 5, 2, [detail])]);
        await store.AddAsync([new TlsRptCounts("b.example", Day, null, 1, 0, [])]);
        await store.CompleteAsync("b.example", Day, "owner", _time.GetUtcNow().AddDays(3));

        var restarted = new FileTlsRptStateStore(_directory, _time, 100);

        var counts = (await restarted.ReadAsync("a.example", Day)).Single();
        (counts.Successes, counts.Failures).Should().Be((5L, 2L));
        counts.Details.Should().Equal([detail]);
        (await restarted.IsSentAsync("b.example", Day)).Should().BeTrue("a restart sends nothing twice");
        (await restarted.ListAsync(Day)).Should().Equal([("a.example", Day)]);
    }

    [Fact]
    public async Task CorruptFile_SetAsideAndStartsEmpty()
    {
        Directory.CreateDirectory(_directory);
        await File.WriteAllTextAsync(Path.Combine(_directory, "tlsrpt-state.json"), "{\"counters\": [ { \"domain\": 5");

        var store = new FileTlsRptStateStore(_directory, _time, 100);

        (await store.ListAsync(Day)).Should().BeEmpty();
        File.Exists(Path.Combine(_directory, "tlsrpt-state.json.corrupt")).Should().BeTrue("kept for a look, out of the way");
    }

    [Fact]
    public async Task Add_PastTheDomainLimit_Dropped()
    {
        var store = new FileTlsRptStateStore(_directory, _time, 2);
        var dropped = await store.AddAsync([.. Enumerable.Range(0, 3).Select(i => new TlsRptCounts($"d{i}.example", Day, null, 4, 0, []))]);

        dropped.Should().Be(4, "the third domain's sessions");
        (await store.ListAsync(Day)).Should().HaveCount(2);
    }

    public void Dispose()
    {
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }
}
