using System.Collections.Concurrent;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using MtaSts.DependencyInjection;
using MtaSts.IntegrationTests.Infrastructure;
using MtaSts.Reporting;
using MtaSts.Testing;

namespace MtaSts.IntegrationTests.Reporting;

/// <summary>
/// A fleet of senders on one real redis-server (two service providers, two reporters): counters add up on the server,
/// exactly one report per policy domain and day goes out, and a lease left by a crashed sender lapses.
/// </summary>
public sealed class RedisFleetTests : IAsyncLifetime
{
    private const string TestingPolicy = "version: STSv1\nmode: testing\nmx: mail.example.com\nmax_age: 86400\n";
    private readonly ConcurrentQueue<TlsRptEnvelope> _delivered = new();
    private readonly List<ServiceProvider> _hosts = [];
    private TestWorld _world = null!;
    private LoopbackRedisServer _redis = null!;

    private static DateOnly Today => DateOnly.FromDateTime(DateTime.UtcNow);

    public async Task InitializeAsync()
    {
        _world = await TestWorld.StartAsync();
        _redis = await LoopbackRedisServer.StartAsync();
        _world.Publish("example.com", "1", TestingPolicy);
        _world.Dns.SetTxt("_smtp._tls.example.com", "v=TLSRPTv1; rua=https://reports.example/tlsrpt");
    }

    [Fact]
    public async Task TwoHosts_FailuresForOneDomain_OneReportWithTheSum()
    {
        var a = Host("host-a");
        var b = Host("host-b");
        await RecordFailuresAsync(a, 2);
        await RecordFailuresAsync(b, 3);
        await Reporter(a).SaveStateAsync(); // the hosted service does this every minute
        await Reporter(b).SaveStateAsync();

        var outcomes = (await Task.WhenAll(Reporter(a).SendDayAsync(Today), Reporter(b).SendDayAsync(Today))).SelectMany(o => o).ToList();

        outcomes.Where(o => o.Status == TlsRptDeliveryStatus.Delivered).Should().ContainSingle("one host sends the domain-day");
        // The other host, depending on when it gets there: the lease taken (SendingElsewhere), the sent marker left under
        // the released lease (AlreadySent), or no counters left to list (no outcome). Never a second Delivered.
        outcomes.Should().OnlyContain(o => o.Status == TlsRptDeliveryStatus.Delivered || o.Status == TlsRptDeliveryStatus.SendingElsewhere
            || o.Status == TlsRptDeliveryStatus.AlreadySent, "the other host found the lease taken, the report sent, or nothing left to send");
        var report = _delivered.Should().ContainSingle("exactly one report for example.com today").Subject.Report;
        report.Policies.Single().TotalFailureSessionCount.Should().Be(5, "2 from host A and 3 from host B, added on the server");
        report.Policies.Single().FailureDetails.Single().FailedSessionCount.Should().Be(5);
        (await Store(a).ListAsync(Today)).Should().BeEmpty("the sender dropped the counters with the report");
        (await Store(b).IsSentAsync("example.com", Today)).Should().BeTrue();
    }

    [Fact]
    public async Task CountersSavedAfterAnotherHostSent_AlreadySentAndDropped()
    {
        var a = Host("host-a");
        var b = Host("host-b");
        await RecordFailuresAsync(a, 2);
        await Reporter(a).SaveStateAsync();
        (await Reporter(a).SendDayAsync(Today)).Single().Status.Should().Be(TlsRptDeliveryStatus.Delivered);

        await RecordFailuresAsync(b, 1); // host B's sessions reach the store after host A sent the day
        await Reporter(b).SaveStateAsync();

        (await Reporter(b).SendDayAsync(Today)).Single().Status.Should().Be(TlsRptDeliveryStatus.AlreadySent, "host A's sent marker is in the shared store");
        _delivered.Should().ContainSingle("one report per policy domain and day, whichever host's counters come late");
        (await Store(b).ListAsync(Today)).Should().BeEmpty("the late counters are dropped, not sent on another day");
    }

    [Fact]
    public async Task TwoHosts_SavedConcurrently_NoSessionLost()
    {
        var a = Host("host-a");
        var b = Host("host-b");
        for (var round = 0; round < 20; round++)
        {
            await RecordFailuresAsync(a, 1);
            await RecordFailuresAsync(b, 1);
            await Task.WhenAll(Reporter(a).SaveStateAsync(), Reporter(b).SaveStateAsync()); // racing writers: HINCRBY, not last-writer-wins
        }

        (await Store(a).ReadAsync("example.com", Today)).Single().Failures.Should().Be(40);
    }

    [Fact]
    public async Task LeaseOfACrashedHost_LapsesAndAnotherHostSends()
    {
        var a = Host("host-a");
        var b = Host("host-b");
        await RecordFailuresAsync(a, 2);
        await Reporter(a).SaveStateAsync();
        (await Store(a).TryLeaseAsync("example.com", Today, "host-a:crashed", TimeSpan.FromSeconds(1))).Should().BeTrue("host A took the lease, then crashed");

        (await Reporter(b).SendDayAsync(Today)).Single().Status.Should().Be(TlsRptDeliveryStatus.SendingElsewhere);
        _delivered.Should().BeEmpty("nobody sends while the lease holds");

        TlsRptDeliveryStatus? status = null;
        for (var attempt = 0; attempt < 40 && status != TlsRptDeliveryStatus.Delivered; attempt++) // the lease lapses after 1 s in Redis; bounded wait
        {
            await Task.Delay(250);
            status = (await Reporter(b).SendDayAsync(Today)).Single().Status;
        }

        status.Should().Be(TlsRptDeliveryStatus.Delivered, "the lapsed lease no longer blocks host B");
        _delivered.Should().ContainSingle().Which.Report.Policies.Single().TotalFailureSessionCount.Should().Be(2, "host A's saved counts");
    }

    [Fact]
    public async Task DomainsPastTheDailyLimit_NotCountedInRedis()
    {
        var a = Host("host-a", o => o.MaxDomainsPerDay = 2);
        var state = await _world.RealTimeEnforcer().GetPolicyAsync("example.com");
        var recorder = a.GetRequiredService<TlsRptRecorder>();
        recorder.Record(state, state.EvaluateMx("evil.example.net"));
        await Reporter(a).SaveStateAsync();
        var b = Host("host-b", o => o.MaxDomainsPerDay = 2);
        foreach (var domain in new[] { "a.example", "b.example" })
        {
            _world.Publish(domain, "1", TestingPolicy.Replace("example.com", domain, StringComparison.Ordinal));
            var other = await _world.RealTimeEnforcer().GetPolicyAsync(domain);
            b.GetRequiredService<TlsRptRecorder>().Record(other, other.EvaluateMx("evil.example.net"));
        }

        await Reporter(b).SaveStateAsync();

        (await Store(b).ListAsync(Today)).Should().HaveCount(2, "a limit of 2 domains a day holds in the shared store, whichever host adds them")
            .And.Contain(("example.com", Today));
    }

    public async Task DisposeAsync()
    {
        foreach (var host in _hosts)
        {
            await host.DisposeAsync();
        }

        _redis.Dispose();
        await _world.DisposeAsync();
    }

    private async Task RecordFailuresAsync(ServiceProvider host, int sessions)
    {
        var state = await _world.RealTimeEnforcer().GetPolicyAsync("example.com");
        var recorder = host.GetRequiredService<TlsRptRecorder>();
        for (var i = 0; i < sessions; i++)
        {
            recorder.Record(state, state.EvaluateMx("evil.example.net")); // MX not in the testing policy: a reportable failure
        }
    }

    private static TlsRptReporter Reporter(ServiceProvider host) => host.GetRequiredService<TlsRptReporter>();

    private static ITlsRptStateStore Store(ServiceProvider host) => host.GetRequiredService<ITlsRptStateStore>();

    // One sending host: its own container, recorder and reporter; the same Redis and DNS as the others.
    private ServiceProvider Host(string instance, Action<TlsRptOptions>? configure = null)
    {
        var services = new ServiceCollection();
        services.AddMtaSts(o =>
        {
            o.NameServers.Add(_world.Dns.EndPoint);
            o.DnsRetries = 0;
        })
        .AddTlsRpt(o =>
        {
            o.OrganizationName = "Sender";
            o.ContactInfo = "tlsrpt@sender.example";
            o.InstanceId = instance;
            configure?.Invoke(o);
        })
        .UseRedisTlsRptState($"{_redis.Configuration},connectTimeout=2000");
        services.RemoveAll<ITlsRptTransport>();
        services.AddSingleton<ITlsRptTransport>(new CapturingTransport(_delivered)); // the report endpoint is a seam here
        var provider = services.BuildServiceProvider();
        _hosts.Add(provider);
        return provider;
    }

    private sealed class CapturingTransport(ConcurrentQueue<TlsRptEnvelope> delivered) : ITlsRptTransport
    {
        public bool CanDeliver(Uri uri) => uri.Scheme == Uri.UriSchemeHttps;

        public Task<string?> DeliverAsync(Uri uri, TlsRptEnvelope envelope, CancellationToken cancellationToken = default)
        {
            delivered.Enqueue(envelope);
            return Task.FromResult<string?>(null);
        }
    }
}
