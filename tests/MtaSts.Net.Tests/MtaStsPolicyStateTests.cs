using System.Net.Security;
using MtaSts.Decisions;
using MtaSts.Testing;

namespace MtaSts.Tests;

public sealed class MtaStsPolicyStateTests : IDisposable
{
    private readonly TestCertificateAuthority _ca = new();

    [Theory]
    [InlineData("enforce", "mail.example.com", MtaStsVerdict.Deliver, "MX-1 listed MX")]
    [InlineData("enforce", "evil.example.net", MtaStsVerdict.FailClosed, "MX-8 unlisted MX is skipped as unreachable")]
    [InlineData("testing", "evil.example.net", MtaStsVerdict.DeliverAndReport, "MX-9 testing only reports")]
    [InlineData("none", "evil.example.net", MtaStsVerdict.Deliver, "MX-9 none does no matching")]
    public void EvaluateMx_Table(string mode, string mx, MtaStsVerdict expected, string reason)
    {
        var decision = State(mode).EvaluateMx(mx);
        decision.Verdict.Should().Be(expected, reason);
        decision.MxHost.Should().Be(mx);
        decision.MayDeliver.Should().Be(expected != MtaStsVerdict.FailClosed);
        if (expected != MtaStsVerdict.Deliver)
        {
            decision.Failure!.Kind.Should().Be(MtaStsFailureKind.MxNotInPolicy);
            decision.Failure.ResultType.Should().Be("certificate-host-mismatch", "RPT-4");
            decision.Failure.ReasonCode.Should().Be("mx-not-in-policy");
        }
    }

    [Fact]
    public void EvaluateTls_EnforceWithoutStartTls_FailsClosed()
    {
        var decision = State("enforce").EvaluateTls("mail.example.com", startTlsOffered: false, null, null, SslPolicyErrors.None);
        decision.Verdict.Should().Be(MtaStsVerdict.FailClosed, "CERT-1");
        decision.Failure!.ResultType.Should().Be("starttls-not-supported");
    }

    [Fact]
    public void EvaluateTls_TestingWithoutStartTls_DeliversAndReports()
    {
        var decision = State("testing").EvaluateTls("mail.example.com", false, null, null, SslPolicyErrors.None);
        decision.Verdict.Should().Be(MtaStsVerdict.DeliverAndReport, "FLOW-16");
        decision.Failure!.Kind.Should().Be(MtaStsFailureKind.StartTlsNotSupported);
    }

    [Fact]
    public void EvaluateTls_EnforceValidCertificate_Delivers()
    {
        using var cert = _ca.IssueFor("mail.example.com");
        var decision = State("enforce").EvaluateTls("mail.example.com", true, cert, null, SslPolicyErrors.None);
        decision.Verdict.Should().Be(MtaStsVerdict.Deliver);
        decision.Failure.Should().BeNull();
        decision.Policy!.Mode.Should().Be(MtaStsMode.Enforce);
    }

    [Fact]
    public void EvaluateTls_EnforceCommonNameOnly_FailsClosedEvenWhenPlatformSaidNone()
    {
        using var cert = _ca.IssueCommonNameOnly("mail.example.com");
        var decision = State("enforce").EvaluateTls("mail.example.com", true, cert, null, SslPolicyErrors.None);
        decision.Verdict.Should().Be(MtaStsVerdict.FailClosed, "CERT-3 re-checked names");
        decision.Failure!.Kind.Should().Be(MtaStsFailureKind.CertificateHostMismatch);
    }

    [Fact]
    public void EvaluateTls_EnforceClientAuthOnlyCertificate_FailsClosedEvenWhenPlatformSaidNone()
    {
        // The platform's chain build has no serverAuth application policy unless asked; the MX check asks (CERT-2).
        using var cert = _ca.IssueServerCertificate("mail.example.com", serverAuth: false, clientAuth: true);
        var decision = State("enforce").EvaluateTls("mail.example.com", true, cert, null, SslPolicyErrors.None);
        decision.Verdict.Should().Be(MtaStsVerdict.FailClosed);
        decision.Failure!.ResultType.Should().Be("certificate-not-trusted");
    }

    [Fact]
    public void EvaluateTls_EnforceExpired_FailsClosed()
    {
        using var cert = _ca.IssueExpired("mail.example.com");
        State("enforce").EvaluateTls("mail.example.com", true, cert, null, SslPolicyErrors.RemoteCertificateChainErrors)
            .Failure!.Kind.Should().Be(MtaStsFailureKind.CertificateExpired);
    }

    [Fact]
    public void EvaluateTls_EnforceMxNotInPolicy_FailsOnMatchingFirst()
    {
        using var cert = _ca.IssueFor("mail.example.com");
        // CERT-4: MX evil.example.net presents a valid certificate for a listed host.
        State("enforce").EvaluateTls("evil.example.net", true, cert, null, SslPolicyErrors.None)
            .Failure!.Kind.Should().Be(MtaStsFailureKind.MxNotInPolicy);
    }

    [Fact]
    public void EvaluateTls_NoPolicyBadCertificate_DeliversOpportunistically()
    {
        using var cert = _ca.IssueExpired("mail.example.com");
        State(null).EvaluateTls("mail.example.com", true, cert, null, SslPolicyErrors.RemoteCertificateChainErrors)
            .Verdict.Should().Be(MtaStsVerdict.Deliver);
    }

    [Fact]
    public void EvaluateTls_NoPolicyRequireValidCertificate_FailsClosedOnBadCertificate()
    {
        using var cert = _ca.IssueExpired("mail.example.com");
        var state = State(null, requireValid: true);
        state.EvaluateTls("mail.example.com", true, cert, null, SslPolicyErrors.None).Verdict.Should().Be(MtaStsVerdict.FailClosed);
        state.EvaluateTls("mail.example.com", false, null, null, SslPolicyErrors.None).Verdict
            .Should().Be(MtaStsVerdict.Deliver, "the option checks certificates; plaintext without a policy stays allowed");
    }

    [Fact]
    public void EvaluateTls_NoneModeNoStartTls_Delivers() =>
        State("none").EvaluateTls("mail.example.com", false, null, null, SslPolicyErrors.None).Verdict.Should().Be(MtaStsVerdict.Deliver);

    [Fact]
    public void Evaluate_FailClosedState_FailsEveryMx()
    {
        var failure = new MtaStsFailure(MtaStsFailureKind.PolicyFetchError, "DNS timeout", "dns-error");
        var state = MtaStsPolicyState.WithoutPolicy("example.com", failure, Settings(false), true, false, null);
        state.IsFailClosed.Should().BeTrue();
        state.EvaluateMx("mail.example.com").Verdict.Should().Be(MtaStsVerdict.FailClosed);
        state.EvaluateTls("mail.example.com", true, null, null, SslPolicyErrors.None).Failure.Should().BeSameAs(failure);
    }

    private MtaStsPolicyState State(string? mode, bool requireValid = false)
    {
        MtaStsPolicy? policy = null;
        if (mode is not null)
        {
            MtaStsPolicy.TryParse($"version: STSv1\nmode: {mode}\nmx: mail.example.com\nmx: *.mx.example.com\nmax_age: 86400\n", out policy, out _).Should().BeTrue();
        }

        return MtaStsPolicyState.WithPolicy("example.com", policy!, "1", DateTimeOffset.UtcNow, Settings(requireValid), null, false);
    }

    private EvaluationSettings Settings(bool requireValid) => new(TimeProvider.System, _ca.TrustStore, requireValid);

    public void Dispose() => _ca.Dispose();
}
