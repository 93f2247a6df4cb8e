using System.Net;
using Microsoft.Extensions.DependencyInjection;
using MtaSts.AspNetCore;
using MtaSts.Testing;
using MtaSts.Tool.Tests.Infrastructure;

namespace MtaSts.Tool.Tests.AspNetCore;

/// <summary>The publisher and the sender together: the library's enforcer, and mta-sts audit, against MapMtaStsPolicy on Kestrel.</summary>
public sealed class RoundTripTests : ToolWorldTest
{
    private static readonly Dictionary<string, string?> Configuration = new()
    {
        ["MtaStsPolicies:example.com:Mode"] = "enforce",
        ["MtaStsPolicies:example.com:Mx:0"] = "mail.example.com",
    };

    [Fact]
    public async Task Enforcer_FetchesFromMapMtaStsPolicy_AndAuditPasses()
    {
        await using var server = await PolicyServerHost.StartAsync(World.Ca, Configuration);
        var document = (await server.Services.GetRequiredService<IMtaStsPolicyProvider>().GetPolicyAsync("example.com"))!;
        World.Dns.SetTxt("_mta-sts.example.com", document.TxtRecord);
        World.Dns.SetA("mta-sts.example.com", IPAddress.Loopback);
        World.Dns.SetMx("example.com", (10, "mail.example.com"));
        await World.AddMxHostAsync("mail.example.com", World.Ca.IssueFor("mail.example.com"));
        World.Dns.SetTxt("_smtp._tls.example.com", "v=TLSRPTv1; rua=https://tlsrpt.example.com/v1");

        using var enforcer = MtaStsEnforcer.Create(World.EnforcerOptions(o => o.PolicyHostConnectCallback = server.ConnectCallback));
        var state = await enforcer.GetPolicyAsync("example.com");
        state.RecordId.Should().Be(document.Id);
        state.Policy!.Mode.Should().Be(MtaStsMode.Enforce);
        state.Policy.Text.Should().Be(document.Body);
        state.EvaluateMx("mail.example.com").Verdict.Should().Be(MtaStsVerdict.Deliver);
        state.EvaluateMx("evil.example.net").Verdict.Should().Be(MtaStsVerdict.FailClosed);

        var audit = await World.RunAsync("audit", "example.com", "--json", "--https-port", server.Port.ToString(System.Globalization.CultureInfo.InvariantCulture));
        audit.Code.Should().Be(0, audit.Stdout);
        audit.Findings().Should().BeEmpty();
    }
}
