using MtaSts.Reporting;
using MtaSts.Tests.Fakes;

namespace MtaSts.Tests.Reporting;

/// <summary>
/// The state store: counters only ever added (D: a failed save loses nothing), one sender per domain-day under a lease,
/// sent markers that stop a second report (F), and saves only when something changed (G).
/// </summary>
public class TlsRptReporterStateTests
{
    [Fact]
    public async Task Save_StoreDown_CountersKeptAndSavedOnceItIsBack()
    {
        var kit = new ReporterKit();
        var reporter = kit.Reporter();
        kit.Record("a.example");
        kit.Record("a.example");
        kit.Store.Fail = true;

        await reporter.SaveStateAsync(); // logged, not thrown
        kit.Record("a.example");
        kit.Store.Fail = false;
        await reporter.SaveStateAsync();

        (await kit.Store.Inner.ReadAsync("a.example", ReporterKit.Day)).Single().Failures.Should().Be(3, "D: the 2 the failed save took back, and 1 more");
        kit.Log.Lines.Should().Contain(l => l.Message.Contains("store unavailable", StringComparison.Ordinal));
    }

    [Fact]
    public async Task SendDay_StoreDown_NothingSentAndRetriedLater()
    {
        var kit = new ReporterKit();
        kit.Publish("a.example", "https://r.a.example/");
        kit.Record("a.example");
        kit.Store.Fail = true;
        var reporter = kit.Reporter();

        (await reporter.SendDayAsync(ReporterKit.Day)).Single().Status.Should().Be(TlsRptDeliveryStatus.Failed);
        kit.Https.Calls.Should().BeEmpty("a report without the counters the store did not take would be followed by a second one");

        kit.Store.Fail = false;
        (await reporter.SendDayAsync(ReporterKit.Day)).Single().Status.Should().Be(TlsRptDeliveryStatus.Delivered);
    }

    [Fact]
    public async Task TwoSendersOneStore_OneReportWithTheSummedCounts()
    {
        var kit = new ReporterKit().Publish("example.com", "https://reports.example/tlsrpt");
        var optionsB = new TlsRptOptions { OrganizationName = "Sender", ContactInfo = "tlsrpt@sender.example", InstanceId = "test-2" };
        var recorderB = new TlsRptRecorder(kit.Time, optionsB);
        var a = kit.Reporter();
        var b = new TlsRptReporter(recorderB, kit.Dns, [kit.Https], optionsB, kit.Time, null, kit.Store);
        kit.Record("example.com");
        kit.Record("example.com", recorderB);
        kit.Record("example.com", recorderB);
        await b.SaveStateAsync();

        var first = await a.SendDayAsync(ReporterKit.Day);
        var second = await b.SendDayAsync(ReporterKit.Day);

        first.Single().Status.Should().Be(TlsRptDeliveryStatus.Delivered);
        second.Should().BeEmpty("the report went out with B's counts, which left the store with it");
        kit.Https.Calls.Should().ContainSingle("one report per policy domain and day for senders sharing a store")
            .Which.Envelope.Report.Policies.Single().TotalFailureSessionCount.Should().Be(3, "1 from A and 2 from B");
    }

    [Fact]
    public async Task SendDay_LeaseHeldByAnotherSender_NotSentUntilTheLeaseLapses()
    {
        var kit = new ReporterKit().Publish("a.example", "https://r.a.example/");
        kit.Record("a.example");
        var reporter = kit.Reporter();
        await reporter.SaveStateAsync();
        (await kit.Store.Inner.TryLeaseAsync("a.example", ReporterKit.Day, "crashed-sender", TimeSpan.FromMinutes(3))).Should().BeTrue();

        (await reporter.SendDayAsync(ReporterKit.Day)).Single().Status.Should().Be(TlsRptDeliveryStatus.SendingElsewhere);
        kit.Https.Calls.Should().BeEmpty();

        kit.Time.Advance(TimeSpan.FromMinutes(4)); // the sender that took it crashed: its lease lapses
        (await reporter.SendDayAsync(ReporterKit.Day)).Single().Status.Should().Be(TlsRptDeliveryStatus.Delivered);
        kit.Https.Calls.Should().ContainSingle();
    }

    [Fact]
    public async Task SendDay_SessionsAddedAfterTheSend_NoSecondReport()
    {
        var kit = new ReporterKit().Publish("a.example", "https://r.a.example/");
        var reporter = kit.Reporter();
        kit.Record("a.example");
        (await reporter.SendDayAsync(ReporterKit.Day)).Single().Status.Should().Be(TlsRptDeliveryStatus.Delivered);

        kit.Record("a.example"); // late: another sender's save after the report went out
        (await reporter.SendDayAsync(ReporterKit.Day)).Single().Status.Should().Be(TlsRptDeliveryStatus.AlreadySent);

        kit.Https.Calls.Should().ContainSingle();
        (await kit.Store.Inner.ListAsync(ReporterKit.Day)).Should().BeEmpty("the late counters of a sent day are dropped");
    }

    [Fact]
    public async Task SentMarker_ExpiresOnceItsDayCanNoLongerBeSent()
    {
        var kit = new ReporterKit().Publish("a.example", "https://r.a.example/");
        kit.Record("a.example");
        await kit.Reporter().SendDayAsync(ReporterKit.Day);
        (await kit.Store.Inner.IsSentAsync("a.example", ReporterKit.Day)).Should().BeTrue();

        kit.Time.Advance(kit.Options.MaxReportAge + TimeSpan.FromDays(2));

        (await kit.Store.Inner.IsSentAsync("a.example", ReporterKit.Day)).Should().BeFalse("G: the markers do not grow forever");
    }

    [Fact]
    public async Task TwoInstancesWithTheirOwnStores_SendReportsWithDistinctIds()
    {
        // RFC 8460 §4.4: report-id is unique; senders that do not share a store each send their own report for a
        // domain-day, so a receiver that de-duplicates on report-id must not drop one of them.
        var kit = new ReporterKit().Publish("example.com", "https://reports.example/tlsrpt");
        var optionsB = new TlsRptOptions { OrganizationName = "Sender", ContactInfo = "tlsrpt@sender.example", InstanceId = "test-2" };
        var recorderB = new TlsRptRecorder(kit.Time, optionsB);
        kit.Record("example.com");
        kit.Record("example.com", recorderB);

        await kit.Reporter().SendDayAsync(ReporterKit.Day);
        await new TlsRptReporter(recorderB, kit.Dns, [kit.Https], optionsB, kit.Time, null, new StateStore(kit.Time)).SendDayAsync(ReporterKit.Day);

        var ids = kit.Https.Calls.Select(c => c.Envelope.Report.ReportId).ToList();
        ids.Should().HaveCount(2);
        ids.Should().OnlyHaveUniqueItems();
        ids.Should().Contain(id => id.Contains("test-1", StringComparison.Ordinal)).And.Contain(id => id.Contains("test-2", StringComparison.Ordinal));
    }

    [Fact]
    public void InstanceId_Default_StablePerInstallationAndAValidKey()
    {
        var one = TlsRptInstanceId.CreateDefault("/srv/sender-a");
        TlsRptInstanceId.CreateDefault("/srv/sender-a").Should().Be(one, "stable across restarts");
        TlsRptInstanceId.CreateDefault("/srv/sender-b").Should().NotBe(one, "two installations on one host differ");
        TlsRptInstanceId.IsValid(one).Should().BeTrue();
    }

    [Theory]
    [InlineData("")]
    [InlineData("has space")]
    [InlineData("a/b")]
    public void Reporter_InvalidInstanceId_Throws(string id)
    {
        var kit = new ReporterKit(o => o.InstanceId = id);
        var create = () => kit.Reporter();
        create.Should().Throw<ArgumentException>().WithMessage("*InstanceId*");
    }

    [Fact]
    public async Task Save_NothingChanged_WritesNothing()
    {
        var kit = new ReporterKit();
        var reporter = kit.Reporter();
        kit.Record("a.example");
        await reporter.SaveStateAsync();
        var writes = kit.Store.Writes.Count;

        await reporter.SaveStateAsync();
        await reporter.SaveStateAsync();

        kit.Store.Writes.Should().HaveCount(writes, "G: nothing recorded, nothing written every minute");
        kit.Record("a.example");
        await reporter.SaveStateAsync();
        kit.Store.Writes.Should().HaveCount(writes + 1);
    }
}
