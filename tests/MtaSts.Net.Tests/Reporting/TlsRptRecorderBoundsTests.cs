using Microsoft.Extensions.Time.Testing;
using MtaSts.Decisions;
using MtaSts.Reporting;

namespace MtaSts.Tests.Reporting;

/// <summary>What a hostile recipient domain chooses (certificate subjects, addresses, policy texts) cannot grow a report without bound.</summary>
public class TlsRptRecorderBoundsTests
{
    private static readonly FakeTimeProvider Time = new(new DateTimeOffset(2026, 11, 27, 15, 0, 0, TimeSpan.Zero));
    private static readonly DateOnly Day = new(2026, 11, 27);

    [Fact]
    public void Record_ManyDistinctFailureDetails_FoldedIntoOneOverflowEntry()
    {
        var recorder = new TlsRptRecorder(Time);
        var state = State("version: STSv1\nmode: enforce\nmx: mail.evil.example\nmax_age: 86400\n");
        for (var i = 0; i < 20_000; i++)
        {
            var decision = state.EvaluateMx("mail.evil.example") with
            {
                Failure = new MtaStsFailure(MtaStsFailureKind.CertificateNotTrusted, $"the certificate for CN={i}{new string('x', 400)} does not chain"),
                Verdict = MtaStsVerdict.FailClosed,
            };
            recorder.Record(state, decision, new TlsRptSession("192.0.2.1", $"10.{(i >> 16) & 255}.{(i >> 8) & 255}.{i & 255}"));
        }

        var result = recorder.BuildReport("evil.example", Day, "org", "tlsrpt@sender.example")!.Policies.Single();
        result.TotalFailureSessionCount.Should().Be(20_000, "every session is still counted");
        result.FailureDetails.Should().HaveCount(TlsRptRecorder.MaxDetailsPerPolicy + 1);
        result.FailureDetails.Single(d => d.FailureReasonCode?.StartsWith("overflow", StringComparison.Ordinal) == true)
            .FailedSessionCount.Should().Be(20_000 - TlsRptRecorder.MaxDetailsPerPolicy);
    }

    [Fact]
    public void Record_RotatingPolicyTexts_BoundedPerDomainDay()
    {
        var recorder = new TlsRptRecorder(Time);
        for (var i = 0; i < 200; i++)
        {
            var state = State($"version: STSv1\nmode: testing\nmx: mail.evil.example\nmax_age: {86400 + i}\n");
            recorder.Record(state, state.EvaluateMx("mail.evil.example"));
        }

        recorder.BuildReport("evil.example", Day, "org", "tlsrpt@sender.example")!.Policies.Should().HaveCount(TlsRptRecorder.MaxPoliciesPerDomainDay);
    }

    private static MtaStsPolicyState State(string text)
    {
        MtaStsPolicy.TryParse(text, out var policy, out var error).Should().BeTrue(error);
        return MtaStsPolicyState.WithPolicy("evil.example", policy!, "1", Time.GetUtcNow(), new EvaluationSettings(Time, null, false), null, false);
    }
}
