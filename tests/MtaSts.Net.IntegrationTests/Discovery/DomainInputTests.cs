using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using MtaSts.IntegrationTests.Infrastructure;

namespace MtaSts.IntegrationTests.Discovery;

/// <summary>Recipient domains that cannot have a policy, and policies with plain deviations (TXT-1, DISC-4, POL-9, POL-13).</summary>
public sealed class DomainInputTests : WorldTest
{
    // 63 + 1 + 63 + 1 + 63 + 1 + 58 = 250 octets: a valid domain whose _mta-sts name would be 259 octets.
    private static readonly string LongDomain = string.Join('.', new string('a', 63), new string('b', 63), new string('c', 63), new string('d', 58));

    [Fact]
    public async Task GetPolicy_LongValidDomain_NoPolicyWithoutQuery()
    {
        LongDomain.Length.Should().Be(250);
        var state = await World.Enforcer().GetPolicyAsync(LongDomain);

        state.Domain.Should().Be(LongDomain);
        state.Policy.Should().BeNull("TXT-1: no record can exist at a name over 253 octets");
        state.DiscoveryFailure.Should().BeNull("no policy is not a failure");
        state.IsFailClosed.Should().BeFalse("a DNS name limit is not a temporary DNS failure");
        state.EvaluateMx("mx." + LongDomain[..10]).Verdict.Should().Be(MtaStsVerdict.Deliver);
        World.Dns.TotalQueries.Should().Be(0);
    }

    [Fact]
    public async Task GetPolicy_LongestDomainWithRoomForPrefix_IsQueried()
    {
        var domain = LongDomain[..(253 - 9)]; // 244 octets: _mta-sts. makes exactly 253
        domain = domain.TrimEnd('.');
        World.Publish(domain, "edge");
        var state = await World.Enforcer().GetPolicyAsync(domain);
        state.RecordId.Should().Be("edge", state.ToString());
        World.Dns.TotalQueries.Should().Be(1);
    }

    [Theory]
    [InlineData("", "empty")]
    [InlineData("a..example", "empty label")]
    [InlineData(".example", "empty first label")]
    [InlineData("under_score.example", "not a host name")]
    [InlineData("[192.0.2.1]", "address literal")]
    [InlineData("[IPv6:2001:db8::1]", "IPv6 address literal")]
    public async Task GetPolicy_NotADomain_TypedResultWithoutQuery(string input, string reason)
    {
        var state = await World.Enforcer().GetPolicyAsync(input);
        state.Policy.Should().BeNull(reason);
        state.DiscoveryFailure!.Kind.Should().Be(MtaStsFailureKind.NoPolicyDomain, reason);
        state.DiscoveryFailure.ReasonCode.Should().Be("no-policy-domain");
        state.IsFailClosed.Should().BeFalse(reason);
        World.Dns.TotalQueries.Should().Be(0, reason);
    }

    [Fact]
    public async Task GetPolicy_LabelOver63_TypedResultWithoutQuery()
    {
        var state = await World.Enforcer().GetPolicyAsync(new string('x', 64) + ".example");
        state.DiscoveryFailure!.Kind.Should().Be(MtaStsFailureKind.NoPolicyDomain);
        World.Dns.TotalQueries.Should().Be(0);
    }

    [Fact]
    public async Task GetPolicy_NameOver253_TypedResultWithoutQuery()
    {
        var state = await World.Enforcer().GetPolicyAsync(LongDomain + ".toolong");
        state.DiscoveryFailure!.Kind.Should().Be(MtaStsFailureKind.NoPolicyDomain);
        World.Dns.TotalQueries.Should().Be(0);
    }

    [Theory]
    [InlineData("version: STSv1\nmode: enforce\n\nmx: mail.example.com\nmax_age: 86400\n", "POL-9 blank line")]
    [InlineData("version: STSv1\nmode: enforce\nmx: mail.example.com.\nmax_age: 86400\n", "POL-13 trailing dot")]
    [InlineData("version: STSv1\r\nmode: enforce\r\nmx: mail.example.com\r\nmax_age: 86400\r\n\r\n", "POL-9 trailing blank line")]
    public async Task GetPolicy_PlainDeviation_EnforceKeptAndWarned(string policy, string reason)
    {
        using var logs = new FakeLoggerProvider();
        using var factory = LoggerFactory.Create(b => b.AddProvider(logs));
        World.Publish("example.com", "dev1", policy);
        using var enforcer = MtaStsEnforcer.Create(World.Options(), World.Time, factory);

        var state = await enforcer.GetPolicyAsync("example.com");

        state.Policy!.Mode.Should().Be(MtaStsMode.Enforce, reason);
        state.EvaluateMx("evil.example.net").Verdict.Should().Be(MtaStsVerdict.FailClosed, "the publisher's enforce holds");
        logs.Collector.GetSnapshot().Should().Contain(r => r.Level == LogLevel.Warning && r.Id.Name == "Leniency", reason);
    }

    [Fact]
    public async Task GetPolicy_PlainDeviationUnderStrict_Rejected()
    {
        World.Publish("example.com", "dev2", "version: STSv1\nmode: enforce\n\nmx: mail.example.com\nmax_age: 86400\n");
        var state = await World.Enforcer(o => o.ParsingMode = MtaStsParsingMode.Strict).GetPolicyAsync("example.com");
        state.Policy.Should().BeNull("Strict keeps the RFC grammar to the letter (POL-9)");
        state.DiscoveryFailure!.Kind.Should().Be(MtaStsFailureKind.PolicyInvalid);
    }
}
