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
        var session = new SessionFacts("mail.example.com", TlsStage.Established, check);
        var input = new DecisionInput("example.com", Make(policy), discoveryFailure, discovery == D.DnsBlocks, discovery == D.FetchFailedReportable,
            requireValid, MxMatches: true, session);

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

    public enum S { BeforeConnect, MxMismatch, NotOffered, Stripped, Refused, HandshakeFailed, CertificateRefusedHandshake, Established }

    [Theory]
    [InlineData(P.Enforce, S.BeforeConnect, MtaStsVerdict.Deliver, null, null, "MX-1 a listed MX may be tried")]
    [InlineData(P.Enforce, S.MxMismatch, MtaStsVerdict.FailClosed, "certificate-host-mismatch", "mx-not-in-policy", "MX-1, MX-8 an unlisted MX is skipped")]
    [InlineData(P.Testing, S.MxMismatch, MtaStsVerdict.DeliverAndReport, "certificate-host-mismatch", "mx-not-in-policy", "MX-9 testing reports an unlisted MX")]
    [InlineData(P.Enforce, S.NotOffered, MtaStsVerdict.FailClosed, "starttls-not-supported", null, "CERT-1 enforce needs STARTTLS")]
    [InlineData(P.Enforce, S.Stripped, MtaStsVerdict.FailClosed, "starttls-not-supported", "starttls-likely-stripped", "CERT-1 with downgrade evidence")]
    [InlineData(P.Testing, S.Stripped, MtaStsVerdict.DeliverAndReport, "starttls-not-supported", "starttls-likely-stripped", "FLOW-16 testing delivers in plain text, reports the evidence")]
    [InlineData(P.Testing, S.NotOffered, MtaStsVerdict.DeliverAndReport, "starttls-not-supported", null, "FLOW-3 testing without STARTTLS")]
    [InlineData(P.Enforce, S.Refused, MtaStsVerdict.FailClosed, "starttls-not-supported", "starttls-refused", "CERT-1 a 454 to STARTTLS is no STARTTLS")]
    [InlineData(P.Testing, S.Refused, MtaStsVerdict.DeliverAndReport, "starttls-not-supported", "starttls-refused", "RPT-1 testing reports a refused STARTTLS")]
    [InlineData(P.NoPolicy, S.Refused, MtaStsVerdict.Deliver, "starttls-not-supported", "starttls-refused", "no policy: the failed upgrade says why")]
    [InlineData(P.NoPolicy, S.NotOffered, MtaStsVerdict.Deliver, null, null, "no policy: plain text is opportunistic")]
    [InlineData(P.Enforce, S.HandshakeFailed, MtaStsVerdict.FailClosed, "validation-failure", "tls-handshake", "FLOW-11 a failed handshake, certificate fine")]
    [InlineData(P.Testing, S.HandshakeFailed, MtaStsVerdict.DeliverAndReport, "validation-failure", "tls-handshake", "RPT-3 reported as validation-failure")]
    [InlineData(P.None, S.HandshakeFailed, MtaStsVerdict.Deliver, "validation-failure", "tls-handshake", "FLOW-4 mode none: the failed upgrade says why")]
    [InlineData(P.Enforce, S.CertificateRefusedHandshake, MtaStsVerdict.FailClosed, "certificate-expired", null, "the certificate failure beats the handshake error")]
    [InlineData(P.Enforce, S.Established, MtaStsVerdict.Deliver, null, null, "enforce, every check passes")]
    public void Decide_SessionFacts(P policy, S seen, MtaStsVerdict expected, string? resultType, string? reasonCode, string reason)
    {
        var mx = seen == S.MxMismatch ? "evil.example.net" : "mail.example.com";
        var session = seen switch
        {
            S.NotOffered => new SessionFacts(mx, TlsStage.NotOffered),
            S.Stripped => new SessionFacts(mx, TlsStage.NotOffered, DowngradeEvidence: "XXXXXXXA"),
            S.Refused => new SessionFacts(mx, TlsStage.Refused, TlsError: "454 not now"),
            S.HandshakeFailed => new SessionFacts(mx, TlsStage.HandshakeFailed, TlsError: "reset"),
            S.CertificateRefusedHandshake => new SessionFacts(mx, TlsStage.HandshakeFailed, new MtaStsFailure(MtaStsFailureKind.CertificateExpired, "old"), "refused"),
            S.Established => new SessionFacts(mx, TlsStage.Established),
            _ => new SessionFacts(mx, TlsStage.NotConnected),
        };
        var input = new DecisionInput("example.com", Make(policy), null, false, false, false, Make(policy)?.Matches(mx) ?? true, session);

        var verdict = DecisionTable.Decide(input, out var failure);

        verdict.Should().Be(expected, reason);
        failure?.ResultType.Should().Be(resultType, reason);
        failure?.ReasonCode.Should().Be(reasonCode, reason);
        (failure is null).Should().Be(resultType is null, reason);
    }

    [Fact]
    public void Decide_StrippedStartTls_EvidenceInTheDetail()
    {
        var input = new DecisionInput("example.com", Make(P.Enforce), null, false, false, false, true,
            new SessionFacts("mail.example.com", TlsStage.NotOffered, DowngradeEvidence: "keyword 'XXXXXXXA'"));

        DecisionTable.Decide(input, out var failure);

        failure!.Detail.Should().Contain("keyword 'XXXXXXXA'", "the evidence is what an operator needs to see");
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
