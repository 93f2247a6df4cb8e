using MtaSts.Testing;
using System.Diagnostics;
using ARSoft.Tools.Net.Dns;
using MtaSts.IntegrationTests.Infrastructure;

namespace MtaSts.IntegrationTests.Discovery;

/// <summary>TXT discovery over the real DNS wire protocol (TXT-*, DISC-*).</summary>
public sealed class DiscoveryTests : WorldTest
{
    [Fact]
    public async Task GetPolicy_PublishedPolicy_IsFetchedAndParsed()
    {
        World.Publish("example.com", "20240101");
        var state = await World.Enforcer().GetPolicyAsync("example.com");

        state.RecordId.Should().Be("20240101");
        state.Policy!.Mode.Should().Be(MtaStsMode.Enforce);
        state.Policy.Mx.Should().Equal("mail.example.com", "*.mx.example.com");
        state.Policy.Text.Should().Be(TestWorld.EnforcePolicy);
        state.DiscoveryFailure.Should().BeNull();
        state.ExpiresAt.Should().Be(World.Time.GetUtcNow() + TimeSpan.FromDays(1));
        World.Dns.Queries("_mta-sts.example.com").Should().Be(1, "TXT-1 the record name");
        World.Https.RequestCount("mta-sts.example.com").Should().Be(1, "FETCH-1 the policy host");
    }

    [Fact]
    public async Task GetPolicy_MultiStringTxt_JoinedWithoutSpaces()
    {
        World.Dns.SetTxt("_mta-sts.example.com", 300, ["v=STSv1; id=abc", "def"]);
        World.Https.ServePolicy("mta-sts.example.com", TestWorld.EnforcePolicy);
        (await World.Enforcer().GetPolicyAsync("example.com")).RecordId.Should().Be("abcdef", "TXT-5");
    }

    [Fact]
    public async Task GetPolicy_SplitVersionString_JoinedWithoutSpaces()
    {
        World.Dns.SetTxt("_mta-sts.example.com", 300, ["v=STS", "v1; id=abc"]);
        World.Https.ServePolicy("mta-sts.example.com", TestWorld.EnforcePolicy);
        (await World.Enforcer().GetPolicyAsync("example.com")).RecordId.Should().Be("abc", "TXT-5");
    }

    [Fact]
    public async Task GetPolicy_SeveralTxtRecords_NonStsDiscarded()
    {
        World.Dns.SetTxt("_mta-sts.example.com", "v=spf1 -all", "v=STSv1; id=abc", "google-site-verification=x");
        World.Https.ServePolicy("mta-sts.example.com", TestWorld.EnforcePolicy);
        (await World.Enforcer().GetPolicyAsync("example.com")).RecordId.Should().Be("abc", "TXT-3");
    }

    [Fact]
    public async Task GetPolicy_TwoStsRecords_NoPolicyAndNoFetch()
    {
        World.Dns.SetTxt("_mta-sts.example.com", "v=STSv1; id=abc", "v=STSv1; id=def");
        World.Https.ServePolicy("mta-sts.example.com", TestWorld.EnforcePolicy);
        var state = await World.Enforcer().GetPolicyAsync("example.com");
        state.Policy.Should().BeNull("TXT-3");
        state.EvaluateMx("mail.example.com").Verdict.Should().Be(MtaStsVerdict.Deliver);
        World.Https.TotalRequests.Should().Be(0);
    }

    [Fact]
    public async Task GetPolicy_InvalidRecord_NoPolicyAndNoFetch()
    {
        World.Dns.SetTxt("_mta-sts.example.com", "v=STSv1; id=");
        World.Https.ServePolicy("mta-sts.example.com", TestWorld.EnforcePolicy);
        var state = await World.Enforcer().GetPolicyAsync("example.com");
        state.Policy.Should().BeNull("TXT-4");
        state.DiscoveryFailure!.ReasonCode.Should().Be("txt-invalid");
        World.Https.TotalRequests.Should().Be(0);
    }

    [Fact]
    public async Task GetPolicy_CnameChainInOneAnswer_Followed()
    {
        // TXT-6, FETCH-14: delegated record; the policy still comes from the customer's policy host.
        World.Dns.SetCname("_mta-sts.user.example", "_mta-sts.provider.example");
        World.Dns.SetTxt("_mta-sts.provider.example", "v=STSv1; id=p1");
        World.Https.ServePolicy("mta-sts.user.example", TestWorld.EnforcePolicy);
        var state = await World.Enforcer().GetPolicyAsync("user.example");
        state.RecordId.Should().Be("p1");
        state.Policy!.Mode.Should().Be(MtaStsMode.Enforce);
        World.Https.RequestCount("mta-sts.user.example").Should().Be(1);
        World.Https.RequestCount("mta-sts.provider.example").Should().Be(0);
    }

    [Fact]
    public async Task GetPolicy_CnameWithoutTarget_TargetQueried()
    {
        World.Dns.SetCname("_mta-sts.user.example", "_mta-sts.provider.example", flatten: false);
        World.Dns.SetTxt("_mta-sts.provider.example", "v=STSv1; id=p2");
        World.Https.ServePolicy("mta-sts.user.example", TestWorld.EnforcePolicy);
        (await World.Enforcer().GetPolicyAsync("user.example")).RecordId.Should().Be("p2", "TXT-6");
        World.Dns.Queries("_mta-sts.provider.example").Should().Be(1);
    }

    [Fact]
    public async Task GetPolicy_CnameLoop_TemporaryFailureFailsClosed()
    {
        World.Dns.SetCname("_mta-sts.loop.example", "a.loop.example", flatten: false);
        World.Dns.SetCname("a.loop.example", "_mta-sts.loop.example", flatten: false);
        var state = await World.Enforcer().GetPolicyAsync("loop.example");
        state.IsFailClosed.Should().BeTrue();
        state.DiscoveryFailure!.Detail.Should().Contain("CNAME loop");
        World.Dns.TotalQueries.Should().BeLessThan(10, "the chase is bounded");
    }

    [Fact]
    public async Task GetPolicy_NxDomain_NoPolicyDeliver()
    {
        var state = await World.Enforcer().GetPolicyAsync("nothing.example");
        state.Policy.Should().BeNull();
        state.IsFailClosed.Should().BeFalse("NXDOMAIN is an answer, not a failure");
        state.EvaluateMx("mx.nothing.example").Verdict.Should().Be(MtaStsVerdict.Deliver);
        World.Https.TotalRequests.Should().Be(0);
    }

    [Fact]
    public async Task GetPolicy_ServFailNothingCached_FailsClosedByDefault()
    {
        World.Dns.SetReturnCode("_mta-sts.example.com", ReturnCode.ServerFailure);
        var state = await World.Enforcer().GetPolicyAsync("example.com");
        state.IsFailClosed.Should().BeTrue();
        var decision = state.EvaluateMx("mail.example.com");
        decision.Verdict.Should().Be(MtaStsVerdict.FailClosed);
        decision.Failure!.Kind.Should().Be(MtaStsFailureKind.PolicyFetchError);
        decision.Failure.ReasonCode.Should().Be("dns-error");
    }

    [Fact]
    public async Task GetPolicy_ServFailWithProceedOption_Delivers()
    {
        World.Dns.SetReturnCode("_mta-sts.example.com", ReturnCode.ServerFailure);
        var state = await World.Enforcer(o => o.DnsFailureBehavior = MtaStsDnsFailureBehavior.Proceed).GetPolicyAsync("example.com");
        state.IsFailClosed.Should().BeFalse();
        state.EvaluateMx("mail.example.com").Verdict.Should().Be(MtaStsVerdict.Deliver);
        state.DiscoveryFailure!.ReasonCode.Should().Be("dns-error", "the failure is still visible");
        state.DiscoveryFailure.Kind.Should().Be(MtaStsFailureKind.PolicyFetchError);
    }

    [Fact]
    public async Task GetPolicy_SilentServer_FailsClosedWithinTheDnsTimeout()
    {
        using var silent = new SilentDnsServer();
        using var enforcer = MtaStsEnforcer.Create(World.Options(o =>
        {
            o.NameServers.Clear();
            o.NameServers.Add(silent.EndPoint);
            o.DnsTimeout = TimeSpan.FromMilliseconds(500);
        }));
        var watch = Stopwatch.StartNew();
        var state = await enforcer.GetPolicyAsync("example.com");
        watch.Stop();
        state.IsFailClosed.Should().BeTrue();
        state.DiscoveryFailure!.ReasonCode.Should().Be("dns-error");
        watch.Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(10), "the lookup is bounded by DnsTimeout, not hung");
    }

    [Fact]
    public async Task GetPolicy_InternationalDomain_QueriesALabels()
    {
        World.Publish("xn--bcher-kva.example", "idn1");
        var state = await World.Enforcer().GetPolicyAsync("Bücher.example.");
        state.Domain.Should().Be("xn--bcher-kva.example", "DISC-5");
        state.RecordId.Should().Be("idn1", state.ToString());
        World.Dns.Queries("_mta-sts.xn--bcher-kva.example").Should().Be(1);
        World.Https.RequestCount("mta-sts.xn--bcher-kva.example").Should().Be(1);
    }

    [Theory]
    [InlineData("[192.0.2.1]")]
    [InlineData("192.0.2.1")]
    [InlineData("[IPv6:2001:db8::1]")]
    public async Task GetPolicy_AddressLiteral_NoPolicyAndNoQuery(string literal)
    {
        var state = await World.Enforcer().GetPolicyAsync(literal);
        state.Policy.Should().BeNull("DISC-4");
        state.DiscoveryFailure!.ReasonCode.Should().Be("no-policy-domain");
        state.EvaluateMx("whatever.example").Verdict.Should().Be(MtaStsVerdict.Deliver);
        World.Dns.TotalQueries.Should().Be(0);
    }

    [Fact]
    public async Task GetPolicy_Subdomain_NeverUsesParent()
    {
        World.Publish("example.com", "parent");
        var state = await World.Enforcer().GetPolicyAsync("mail.example.com");
        state.Policy.Should().BeNull("DISC-3");
        World.Dns.Queries("_mta-sts.mail.example.com").Should().Be(1);
        World.Dns.Queries("_mta-sts.example.com").Should().Be(0);
    }

    [Fact]
    public async Task GetPolicy_TruncatedOverUdp_RetriedOverTcp()
    {
        // Enough records to overflow a 512-byte UDP answer: DnsClient must fall back to TCP and still select ours.
        var records = Enumerable.Range(0, 40).Select(i => $"filler-record-{i}-{new string('x', 40)}").Append("v=STSv1; id=big").ToArray();
        World.Dns.SetTxt("_mta-sts.example.com", records);
        World.Https.ServePolicy("mta-sts.example.com", TestWorld.EnforcePolicy);
        (await World.Enforcer().GetPolicyAsync("example.com")).RecordId.Should().Be("big");
    }
}
