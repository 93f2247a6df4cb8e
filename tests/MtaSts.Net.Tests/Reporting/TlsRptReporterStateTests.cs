using MtaSts.Reporting;
using MtaSts.Tests.Fakes;

namespace MtaSts.Tests.Reporting;

/// <summary>Persisted state: never written unread (D), one key per instance (F), written only when changed and pruned (G).</summary>
public class TlsRptReporterStateTests
{
    [Fact]
    public async Task Save_AfterAFailedLoad_NeverOverwritesAndRetriesTheLoad()
    {
        var kit = new ReporterKit();
        var earlier = new TlsRptRecorder(kit.Time, kit.Options);
        kit.Record("a.example", earlier);
        kit.Record("a.example", earlier);
        kit.Store.State["tlsrpt-counters-test-1"] = earlier.ExportJson(); // what an earlier run stored
        kit.Store.FailReads = true;
        var reporter = kit.Reporter();
        (await reporter.LoadStateAsync()).Should().BeFalse();
        kit.Record("a.example");

        await reporter.SaveStateAsync();
        kit.Store.Writes.Should().BeEmpty("D: state that was not read is never written");

        kit.Store.FailReads = false;
        await reporter.SaveStateAsync(); // the load is retried first

        var saved = new TlsRptRecorder(kit.Time, kit.Options);
        saved.ImportJson(kit.Store.State["tlsrpt-counters-test-1"]);
        saved.BuildReport("a.example", ReporterKit.Day, "o", "a@b.example")!.Policies.Single().TotalFailureSessionCount
            .Should().Be(3, "the stored 2 and this run's 1");
    }

    [Fact]
    public async Task SendDay_StateUnreadable_NothingSentAndRetriedLater()
    {
        var kit = new ReporterKit();
        kit.Publish("a.example", "https://r.a.example/");
        kit.Record("a.example");
        kit.Store.FailReads = true;
        var reporter = kit.Reporter();

        (await reporter.SendDayAsync(ReporterKit.Day)).Single().Status.Should().Be(TlsRptDeliveryStatus.Failed);
        kit.Https.Calls.Should().BeEmpty("without the sent list a report could go out twice");

        kit.Store.FailReads = false;
        (await reporter.SendDayAsync(ReporterKit.Day)).Single().Status.Should().Be(TlsRptDeliveryStatus.Delivered);
    }

    [Fact]
    public async Task TwoInstancesOnOneStore_KeepTheirOwnCounters()
    {
        var kit = new ReporterKit();
        var optionsB = new TlsRptOptions { OrganizationName = "Sender", ContactInfo = "tlsrpt@sender.example", InstanceId = "test-2" };
        var recorderB = new TlsRptRecorder(kit.Time, optionsB);
        var a = kit.Reporter();
        var b = new TlsRptReporter(recorderB, kit.Dns, [], optionsB, kit.Time, null, kit.Store);
        kit.Record("a.example");
        kit.Record("b.example", recorderB);
        kit.Record("b.example", recorderB);

        await a.SaveStateAsync();
        await b.SaveStateAsync();

        var restartedA = kit.Restart();
        await kit.Reporter().LoadStateAsync();
        restartedA.Domains(ReporterKit.Day).Should().Equal(["a.example"], "F: instance B did not overwrite instance A's counters");
        kit.Store.State.Keys.Should().Contain(["tlsrpt-counters-test-1", "tlsrpt-counters-test-2"]);
    }

    [Fact]
    public async Task TwoInstances_SameDomainDay_SendReportsWithDistinctIds()
    {
        // RFC 8460 §4.4: report-id is unique; each instance sends its own report for a domain-day, so a receiver that
        // de-duplicates on report-id must not drop one of them.
        var kit = new ReporterKit().Publish("example.com", "https://reports.example/tlsrpt");
        var optionsB = new TlsRptOptions { OrganizationName = "Sender", ContactInfo = "tlsrpt@sender.example", InstanceId = "test-2" };
        var recorderB = new TlsRptRecorder(kit.Time, optionsB);
        kit.Record("example.com");
        kit.Record("example.com", recorderB);

        await kit.Reporter().SendDayAsync(ReporterKit.Day);
        await new TlsRptReporter(recorderB, kit.Dns, [kit.Https], optionsB, kit.Time, null, new ReporterKit().Store).SendDayAsync(ReporterKit.Day);

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

        kit.Store.Writes.Should().HaveCount(writes, "G: unchanged state is not rewritten every minute");
        kit.Record("a.example");
        await reporter.SaveStateAsync();
        kit.Store.Writes.Should().HaveCount(writes + 1, "changed counters are saved; the unchanged sent list is not");
    }

    [Fact]
    public async Task SentIds_PrunedOnceTheirDayCanNoLongerBeSent()
    {
        var kit = new ReporterKit();
        kit.Publish("a.example", "https://r.a.example/");
        var reporter = kit.Reporter();
        kit.Record("a.example");
        await reporter.SendDayAsync(ReporterKit.Day);
        kit.Store.State["tlsrpt-sent-test-1"].Should().Contain("a.example");

        kit.Time.Advance(kit.Options.MaxReportAge + TimeSpan.FromDays(2));
        await reporter.SendPendingAsync();

        kit.Store.State["tlsrpt-sent-test-1"].Should().BeEmpty("G: the sent list does not grow forever");
    }

    [Fact]
    public async Task Load_OldSentListWithoutTimes_StillPreventsASecondSend()
    {
        var kit = new ReporterKit();
        kit.Publish("a.example", "https://r.a.example/");
        kit.Store.State["tlsrpt-sent-test-1"] = "2026-11-27_a.example@sender.example"; // the format before send times were kept
        kit.Record("a.example");

        (await kit.Reporter().SendDayAsync(ReporterKit.Day)).Single().Status.Should().Be(TlsRptDeliveryStatus.AlreadySent);
        kit.Https.Calls.Should().BeEmpty();
    }

    [Fact]
    public async Task Load_StateUnderTheMachineNameKey_AdoptedOnceByTheFirstInstance()
    {
        var kit = new ReporterKit();
        var legacy = new string([.. Environment.MachineName.Where(char.IsAsciiLetterOrDigit)]);
        var earlier = new TlsRptRecorder(kit.Time, kit.Options);
        kit.Record("a.example", earlier);
        kit.Store.State["tlsrpt-counters-" + legacy] = earlier.ExportJson(); // saved before instance ids
        kit.Store.State["tlsrpt-sent-" + legacy] = "2026-11-26_a.example@sender.example";

        var first = kit.Reporter();
        await first.SaveStateAsync();

        kit.Store.State["tlsrpt-counters-test-1"].Should().Contain("a.example", "F: the counters are not orphaned by the new key");
        kit.Store.State["tlsrpt-sent-test-1"].Should().Contain("2026-11-26_a.example");
        kit.Store.State["tlsrpt-counters-" + legacy].Should().BeEmpty("adopted once, then emptied");

        var otherOptions = new TlsRptOptions { OrganizationName = "Sender", ContactInfo = "tlsrpt@sender.example", InstanceId = "test-2" };
        var other = new TlsRptRecorder(kit.Time, otherOptions);
        await new TlsRptReporter(other, kit.Dns, [], otherOptions, kit.Time, null, kit.Store).LoadStateAsync();
        other.Domains(ReporterKit.Day).Should().BeEmpty("a second instance does not count them again");
    }
}
