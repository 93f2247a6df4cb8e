using MtaSts.Decisions;

namespace MtaSts.Tests.Decisions;

public class DecisionTableTests
{
    public enum P { NoPolicy, None, Testing, Enforce }

    public enum D { Ok, FetchFailedReportable, DnsBlocks, DnsNotBlocking }

    [Theory]
    [InlineData(P.NoPolicy, D.Ok, false, false, MtaStsVerdict.Deliver, "no policy: opportunistic")]
    [InlineData(P.NoPolicy, D.Ok, true, false, MtaStsVerdict.Deliver, "no policy: a bad certificate is accepted (opportunistic)")]
    [InlineData(P.NoPolicy, D.Ok, true, true, MtaStsVerdict.FailClosed, "no policy, sender requires valid certificates")]
    [InlineData(P.NoPolicy, D.FetchFailedReportable, false, false, MtaStsVerdict.DeliverAndReport, "FLOW-8 TXT valid, fetch failed, nothing cached")]
    [InlineData(P.NoPolicy, D.DnsBlocks, false, false, MtaStsVerdict.FailClosed, "DNS temporary failure, nothing cached, fail closed")]
    [InlineData(P.NoPolicy, D.DnsNotBlocking, false, false, MtaStsVerdict.Deliver, "DNS temporary failure, proceed option")]
    [InlineData(P.None, D.Ok, false, false, MtaStsVerdict.Deliver, "FLOW-4 mode none")]
    [InlineData(P.None, D.Ok, true, false, MtaStsVerdict.Deliver, "FLOW-4 mode none ignores failures")]
    [InlineData(P.None, D.FetchFailedReportable, true, false, MtaStsVerdict.Deliver, "RPT-1 no reports under none")]
    [InlineData(P.Testing, D.Ok, false, false, MtaStsVerdict.Deliver, "testing, checks pass")]
    [InlineData(P.Testing, D.Ok, true, false, MtaStsVerdict.DeliverAndReport, "FLOW-3 testing, check fails")]
    [InlineData(P.Testing, D.FetchFailedReportable, true, false, MtaStsVerdict.DeliverAndReport, "FLOW-9 cached testing policy, fetch failed, check fails")]
    [InlineData(P.Enforce, D.Ok, false, false, MtaStsVerdict.Deliver, "enforce, checks pass")]
    [InlineData(P.Enforce, D.Ok, true, false, MtaStsVerdict.FailClosed, "FLOW-2 enforce, check fails")]
    [InlineData(P.Enforce, D.FetchFailedReportable, false, false, MtaStsVerdict.Deliver, "FLOW-9 cached enforce policy applies, checks pass")]
    [InlineData(P.Enforce, D.FetchFailedReportable, true, false, MtaStsVerdict.FailClosed, "FLOW-9 cached enforce policy applies, check fails")]
    [InlineData(P.Enforce, D.DnsBlocks, false, false, MtaStsVerdict.FailClosed, "a blocking discovery failure always wins")]
    [InlineData(P.Enforce, D.Ok, true, true, MtaStsVerdict.FailClosed, "the sender option changes nothing under enforce")]
    [InlineData(P.Testing, D.Ok, true, true, MtaStsVerdict.DeliverAndReport, "the sender option applies only without a policy")]
    public void Decide_Table(P policy, D discovery, bool checkFails, bool requireValid, MtaStsVerdict expected, string reason)
    {
        var discoveryFailure = discovery == D.Ok ? null : new MtaStsFailure(MtaStsFailureKind.PolicyFetchError, "discovery");
        var check = checkFails ? new MtaStsFailure(MtaStsFailureKind.CertificateExpired, "check") : null;
        var input = new DecisionInput(Make(policy), discoveryFailure, discovery == D.DnsBlocks, discovery == D.FetchFailedReportable, check, requireValid);

        var verdict = DecisionTable.Decide(input, out var failure);

        verdict.Should().Be(expected, reason);
        if (verdict == MtaStsVerdict.Deliver)
        {
            failure.Should().BeNull(reason);
        }
        else
        {
            failure.Should().NotBeNull("a non-plain verdict always says why: " + reason);
        }
    }

    private static MtaStsPolicy? Make(P p)
    {
        var mode = p switch { P.None => "none", P.Testing => "testing", P.Enforce => "enforce", _ => null };
        if (mode is null)
        {
            return null;
        }

        MtaStsPolicy.TryParse($"version: STSv1\nmode: {mode}\nmx: mail.example.com\nmax_age: 86400\n", out var policy, out _).Should().BeTrue();
        return policy;
    }
}
