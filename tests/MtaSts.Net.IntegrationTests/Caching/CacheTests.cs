using MtaSts.Testing;
using ARSoft.Tools.Net.Dns;
using MtaSts.IntegrationTests.Infrastructure;

namespace MtaSts.IntegrationTests.Caching;

/// <summary>Cache rules on a fake clock, counted at the real DNS and HTTPS servers (CACHE-*, FLOW-*, FETCH-11).</summary>
public sealed class CacheTests : WorldTest
{
    private const string Txt = "_mta-sts.example.com";
    private const string Host = "mta-sts.example.com";
    private const string TestingPolicy = "version: STSv1\nmode: testing\nmx: mail.example.com\nmax_age: 86400\n";
    private const string NonePolicy = "version: STSv1\nmode: none\nmax_age: 3600\n";
    [Fact]
    public async Task GetPolicy_WithinTxtTtl_NoDnsNoHttps()
    {
        World.Publish("example.com", "1", TestWorld.EnforcePolicy, ttl: 300);
        var enforcer = World.Enforcer();
        await enforcer.GetPolicyAsync("example.com");
        World.Time.Advance(TimeSpan.FromSeconds(299));

        var state = await enforcer.GetPolicyAsync("example.com");

        World.Dns.Queries(Txt).Should().Be(1, "FLOW-15 at most one TXT query per TTL");
        World.Https.RequestCount(Host).Should().Be(1);
    }

    [Fact]
    public async Task GetPolicy_IdUnchanged_DoesNotFetchOrExtendLifetime()
    {
        World.Publish("example.com", "1", TestWorld.EnforcePolicy, ttl: 300);
        var enforcer = World.Enforcer();
        var first = await enforcer.GetPolicyAsync("example.com");
        World.Time.Advance(TimeSpan.FromMinutes(10));

        var second = await enforcer.GetPolicyAsync("example.com");

        World.Https.RequestCount(Host).Should().Be(1, "CACHE-4: the id is unchanged, nothing is fetched");
        second.RecordId.Should().Be("1");
        second.ExpiresAt.Should().Be(first.ExpiresAt, "CACHE-9 an id match does not extend max_age");
        World.Dns.Queries(Txt).Should().Be(2);
        World.Https.RequestCount(Host).Should().Be(1, "CACHE-4 no fetch when the id is unchanged");
    }

    [Fact]
    public async Task GetPolicy_NormalisedDomainsShareOneEntry()
    {
        World.Publish("example.com", "1");
        var enforcer = World.Enforcer();
        await enforcer.GetPolicyAsync("Example.COM.");
        var state = await enforcer.GetPolicyAsync("example.com");
        World.Https.RequestCount(Host).Should().Be(1, "CACHE-10: one entry for every spelling of the domain");
        World.Dns.Queries(Txt).Should().Be(1);
    }

    [Fact]
    public async Task GetPolicy_IdChanged_FetchesAndReplacesEvenWithWeakerPolicy()
    {
        World.Publish("example.com", "1");
        var enforcer = World.Enforcer();
        (await enforcer.GetPolicyAsync("example.com")).Mode.Should().Be(MtaStsMode.Enforce);

        World.Publish("example.com", "2", NonePolicy);
        World.Time.Advance(TimeSpan.FromMinutes(6));
        var state = await enforcer.GetPolicyAsync("example.com");

        World.Https.RequestCount(Host).Should().Be(2, "CACHE-5: a new id is fetched");
        state.RecordId.Should().Be("2");
        state.Mode.Should().Be(MtaStsMode.None, "CACHE-8 a valid new policy replaces even a stronger one");
        state.ExpiresAt.Should().Be(World.Time.GetUtcNow() + TimeSpan.FromHours(1));
        World.Https.RequestCount(Host).Should().Be(2);
    }

    [Fact]
    public async Task GetPolicy_IdChangedFetchFails_KeepsCachedPolicyAndReports()
    {
        World.Publish("example.com", "1");
        var enforcer = World.Enforcer();
        await enforcer.GetPolicyAsync("example.com");

        World.Dns.SetTxt(Txt, "v=STSv1; id=2");
        World.Https.Serve(Host, context => { context.Response.StatusCode = 500; return Task.CompletedTask; });
        World.Time.Advance(TimeSpan.FromMinutes(6));
        var state = await enforcer.GetPolicyAsync("example.com");

        state.RecordId.Should().Be("1");
        state.Mode.Should().Be(MtaStsMode.Enforce, "POL-18 a failed fetch never weakens the cached policy");
        state.DiscoveryFailure!.Kind.Should().Be(MtaStsFailureKind.PolicyFetchError);
        state.IsDiscoveryFailureReportable.Should().BeTrue("RPT-1 fetch failure with a cached policy");
        state.EvaluateMx("evil.example.net").Verdict.Should().Be(MtaStsVerdict.FailClosed, "FLOW-9 the cached enforce policy applies");
        state.EvaluateMx("mail.example.com").Verdict.Should().Be(MtaStsVerdict.Deliver);
    }

    [Fact]
    public async Task GetPolicy_IdChangedInvalidPolicy_KeepsCachedPolicy()
    {
        World.Publish("example.com", "1");
        var enforcer = World.Enforcer();
        await enforcer.GetPolicyAsync("example.com");

        World.Publish("example.com", "2", TestWorld.EnforcePolicy.Replace("enforce", "Enforce", StringComparison.Ordinal));
        World.Time.Advance(TimeSpan.FromMinutes(6));
        var state = await enforcer.GetPolicyAsync("example.com");

        state.RecordId.Should().Be("1", "POL-18");
        state.DiscoveryFailure!.Kind.Should().Be(MtaStsFailureKind.PolicyInvalid);
    }

    [Fact]
    public async Task GetPolicy_TxtDisappears_CachedPolicyStillApplies()
    {
        World.Publish("example.com", "1");
        var enforcer = World.Enforcer();
        await enforcer.GetPolicyAsync("example.com");

        World.Dns.Remove(Txt);
        World.Time.Advance(TimeSpan.FromHours(2));
        var state = await enforcer.GetPolicyAsync("example.com");

        state.Mode.Should().Be(MtaStsMode.Enforce, "CACHE-3, SEC-3 a vanished TXT record never deletes a cached policy");
        state.EvaluateTls("mail.example.com", startTlsOffered: false, null, null, System.Net.Security.SslPolicyErrors.None)
            .Verdict.Should().Be(MtaStsVerdict.FailClosed);
    }

    [Fact]
    public async Task GetPolicy_DnsFailsWithCachedPolicy_CachedPolicyApplies()
    {
        World.Publish("example.com", "1");
        var enforcer = World.Enforcer();
        await enforcer.GetPolicyAsync("example.com");

        World.Dns.SetReturnCode(Txt, ReturnCode.ServerFailure);
        World.Time.Advance(TimeSpan.FromHours(2));
        var state = await enforcer.GetPolicyAsync("example.com");

        state.Mode.Should().Be(MtaStsMode.Enforce, "TXT-14");
        state.IsFailClosed.Should().BeFalse("a cached policy decides, not the DNS failure");
        state.DiscoveryFailure!.ReasonCode.Should().Be("dns-error", "the failure stays visible");

        World.Dns.Remove(Txt);
        World.Dns.SetTxt(Txt, "v=STSv1; id=1");
        World.Time.Advance(TimeSpan.FromMinutes(2));
        (await enforcer.GetPolicyAsync("example.com")).DiscoveryFailure.Should().BeNull("DNS answers again: the old failure is gone");
    }

    [Fact]
    public async Task GetPolicy_PolicyExpires_AtMaxAgeNotBefore()
    {
        World.Publish("example.com", "1"); // max_age 86400
        var enforcer = World.Enforcer(o => o.TxtRecheckMaximum = o.TxtRecheckMinimum = TimeSpan.FromMinutes(1));
        await enforcer.GetPolicyAsync("example.com");
        World.Dns.Remove(Txt);

        World.Time.Advance(TimeSpan.FromSeconds(86400));
        (await enforcer.GetPolicyAsync("example.com")).Mode.Should().Be(MtaStsMode.Enforce, "CACHE-2 valid at exactly max_age");

        World.Time.Advance(TimeSpan.FromSeconds(61));
        var state = await enforcer.GetPolicyAsync("example.com");
        state.Policy.Should().BeNull("CACHE-2 expired after max_age");
        state.EvaluateMx("evil.example.net").Verdict.Should().Be(MtaStsVerdict.Deliver);
    }

    [Fact]
    public async Task GetPolicy_FetchFailed_BacksOffFiveMinutesPerId()
    {
        World.Dns.SetTxt(Txt, 60, ["v=STSv1; id=1"]);
        World.Https.Serve(Host, context => { context.Response.StatusCode = 503; return Task.CompletedTask; });
        var enforcer = World.Enforcer();

        (await enforcer.GetPolicyAsync("example.com")).DiscoveryFailure!.ReasonCode.Should().Be("http-503");
        World.Https.RequestCount(Host).Should().Be(1);

        World.Time.Advance(TimeSpan.FromSeconds(120)); // TXT rechecked, same id, still inside the back-off
        var state = await enforcer.GetPolicyAsync("example.com");
        state.DiscoveryFailure!.Kind.Should().Be(MtaStsFailureKind.PolicyFetchError, "the last failure is still reported");
        World.Https.RequestCount(Host).Should().Be(1, "FETCH-11 no new GET for id 1 before T+300 s");

        World.Dns.SetTxt(Txt, 60, ["v=STSv1; id=2"]);
        World.Time.Advance(TimeSpan.FromSeconds(61));
        await enforcer.GetPolicyAsync("example.com");
        World.Https.RequestCount(Host).Should().Be(2, "FETCH-11 a new id may be fetched at once");

        World.Https.ServePolicy(Host, TestWorld.EnforcePolicy);
        World.Time.Advance(TimeSpan.FromSeconds(301));
        (await enforcer.GetPolicyAsync("example.com")).Policy.Should().NotBeNull("after the back-off the fetch is retried");
        World.Https.RequestCount(Host).Should().Be(3);
    }

    [Fact]
    public async Task GetPolicy_MaxAgeZero_AppliedButNotCached()
    {
        World.Publish("example.com", "1", TestWorld.EnforcePolicy.Replace("86400", "0", StringComparison.Ordinal));
        var enforcer = World.Enforcer();
        (await enforcer.GetPolicyAsync("example.com")).Mode.Should().Be(MtaStsMode.Enforce, "POL-12 applies to this delivery");
        (await enforcer.GetPolicyAsync("example.com")).Mode.Should().Be(MtaStsMode.Enforce, "POL-12 not cached: fetched again");
        World.Https.RequestCount(Host).Should().Be(2);
    }

    [Fact]
    public async Task GetPolicy_NoRecord_NegativeAnswerCachedBriefly()
    {
        var enforcer = World.Enforcer();
        await enforcer.GetPolicyAsync("example.com");
        await enforcer.GetPolicyAsync("example.com");
        World.Dns.Queries(Txt).Should().Be(1, "a domain without MTA-STS is not asked again within TxtRecheckMinimum");
        World.Time.Advance(TimeSpan.FromMinutes(2));
        await enforcer.GetPolicyAsync("example.com");
        World.Dns.Queries(Txt).Should().Be(2);
    }

    [Fact]
    public async Task GetPolicy_ThousandConcurrentCallers_OneTxtQueryOneFetch()
    {
        World.Publish("example.com", "1");
        World.Dns.SetDelay(Txt, TimeSpan.FromMilliseconds(200)); // keep the flight open while callers pile up
        var enforcer = World.Enforcer();
        using var gate = new ManualResetEventSlim();
        var callers = Enumerable.Range(0, 1000).Select(_ => Task.Run(async () =>
        {
            gate.Wait();
            return await enforcer.GetPolicyAsync("example.com");
        })).ToArray();
        gate.Set();

        var states = await Task.WhenAll(callers).WaitAsync(TimeSpan.FromSeconds(30));

        states.Should().OnlyContain(s => s.RecordId == "1" && s.Mode == MtaStsMode.Enforce);
        World.Dns.Queries(Txt).Should().Be(1, "single-flight: one TXT query for 1,000 callers");
        World.Https.RequestCount(Host).Should().Be(1, "single-flight: one HTTPS GET for 1,000 callers");
    }

    [Fact]
    public async Task GetPolicy_CallerCancels_SharedLookupCarriesOn()
    {
        World.Publish("example.com", "1");
        World.Dns.SetDelay(Txt, TimeSpan.FromMilliseconds(300));
        var enforcer = World.Enforcer();
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(50));

        var cancelled = async () => await enforcer.GetPolicyAsync("example.com", cts.Token);
        var patient = enforcer.GetPolicyAsync("example.com").AsTask();

        await cancelled.Should().ThrowAsync<OperationCanceledException>();
        (await patient).RecordId.Should().Be("1");
        World.Dns.Queries(Txt).Should().Be(1);
    }

    [Fact]
    public async Task GetPolicy_TestingPolicy_MismatchDeliversAndReports()
    {
        World.Publish("example.com", "1", TestingPolicy);
        var state = await World.Enforcer().GetPolicyAsync("example.com");
        state.EvaluateMx("other.example.net").Verdict.Should().Be(MtaStsVerdict.DeliverAndReport, "MX-9");
    }

    [Fact]
    public async Task Invalidate_DropsTheEntry()
    {
        World.Publish("example.com", "1");
        var enforcer = World.Enforcer();
        await enforcer.GetPolicyAsync("example.com");
        await enforcer.InvalidateAsync("EXAMPLE.com");
        (await enforcer.GetPolicyAsync("example.com")).Mode.Should().Be(MtaStsMode.Enforce);
        World.Https.RequestCount(Host).Should().Be(2, "fetched afresh after the invalidation");
    }

    [Fact]
    public async Task Cache_IsBounded()
    {
        var enforcer = World.Enforcer(o => o.MaxCacheEntries = 20);
        for (var i = 0; i < 60; i++)
        {
            await enforcer.GetPolicyAsync($"d{i}.example");
        }

        enforcer.CachedDomainCount.Should().BeLessThanOrEqualTo(20);
    }
}
