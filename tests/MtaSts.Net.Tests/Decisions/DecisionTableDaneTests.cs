using MtaSts.Dane;
using MtaSts.Decisions;

namespace MtaSts.Tests.Decisions;

/// <summary>The DANE rows of the decision table (RFC 8461 §2, RFC 7672 §2.2, DANE-1, DANE-2, DANE-4, DANE-5).</summary>
public class DecisionTableDaneTests
{
    public enum T { None, Usable, OnlyUnusable, Bogus, Indeterminate, Insecure }

    public enum S { BeforeConnect, NotOffered, Refused, EstablishedMatch, EstablishedMismatch, HandshakeFailed }

    [Theory]
    [InlineData(T.Usable, S.BeforeConnect, "enforce-other-mx", MtaStsVerdict.Deliver, MtaStsMechanism.Dane, "DANE-4 secure usable TLSA: the mx patterns are not consulted")]
    [InlineData(T.Usable, S.EstablishedMatch, "enforce-other-mx", MtaStsVerdict.Deliver, MtaStsMechanism.Dane, "DANE-4 DANE authenticates an MX the policy does not list")]
    [InlineData(T.Usable, S.EstablishedMismatch, "enforce", MtaStsVerdict.FailClosed, MtaStsMechanism.Dane, "DANE-1 MTA-STS never rescues a TLSA mismatch")]
    [InlineData(T.Usable, S.EstablishedMismatch, "none-policy", MtaStsVerdict.FailClosed, MtaStsMechanism.Dane, "DANE-2 a TLSA mismatch refuses without any policy")]
    [InlineData(T.Usable, S.NotOffered, "none-policy", MtaStsVerdict.FailClosed, MtaStsMechanism.Dane, "DANE-2 STARTTLS is mandatory with usable TLSA")]
    [InlineData(T.Usable, S.Refused, "testing", MtaStsVerdict.FailClosed, MtaStsMechanism.Dane, "DANE-2 a refused STARTTLS is not rescued by testing mode")]
    [InlineData(T.Usable, S.HandshakeFailed, "none-policy", MtaStsVerdict.FailClosed, MtaStsMechanism.Dane, "DANE-2 a failed handshake is not delivered")]
    [InlineData(T.Bogus, S.BeforeConnect, "enforce", MtaStsVerdict.FailClosed, MtaStsMechanism.Dane, "DANE-5 bogus TLSA: the MX is unusable, MTA-STS does not rescue it")]
    [InlineData(T.Indeterminate, S.BeforeConnect, "none-policy", MtaStsVerdict.FailClosed, MtaStsMechanism.Dane, "RFC 7672 §2.2 an unanswered TLSA lookup never downgrades")]
    [InlineData(T.OnlyUnusable, S.NotOffered, "none-policy", MtaStsVerdict.FailClosed, MtaStsMechanism.Dane, "RFC 7672 §2.2 unusable-only TLSA: TLS is still mandatory")]
    [InlineData(T.OnlyUnusable, S.EstablishedMismatch, "none-policy", MtaStsVerdict.Deliver, MtaStsMechanism.MtaSts, "RFC 7672 §2.2 unusable-only TLSA: no authentication, MTA-STS rows decide")]
    [InlineData(T.OnlyUnusable, S.BeforeConnect, "enforce-other-mx", MtaStsVerdict.FailClosed, MtaStsMechanism.MtaSts, "unusable-only TLSA keeps the MTA-STS mx check")]
    [InlineData(T.Insecure, S.NotOffered, "none-policy", MtaStsVerdict.Deliver, MtaStsMechanism.MtaSts, "insecure zone: opportunistic as before")]
    [InlineData(T.Insecure, S.NotOffered, "enforce", MtaStsVerdict.FailClosed, MtaStsMechanism.MtaSts, "insecure zone falls back to MTA-STS enforce")]
    [InlineData(T.None, S.BeforeConnect, "enforce-other-mx", MtaStsVerdict.FailClosed, MtaStsMechanism.MtaSts, "secure denial of TLSA: MTA-STS decides (DANE-4)")]
    public void Decide_DaneRows(T tlsa, S session, string policy, MtaStsVerdict expected, MtaStsMechanism mechanism, string reason)
    {
        var dane = Dane(tlsa);
        var facts = session switch
        {
            S.BeforeConnect => new SessionFacts("mail.example.com", TlsStage.NotConnected, Dane: dane),
            S.NotOffered => new SessionFacts("mail.example.com", TlsStage.NotOffered, Dane: dane),
            S.Refused => new SessionFacts("mail.example.com", TlsStage.Refused, TlsError: "454", Dane: dane),
            S.EstablishedMatch => new SessionFacts("mail.example.com", TlsStage.Established, Dane: dane),
            S.EstablishedMismatch => new SessionFacts("mail.example.com", TlsStage.Established, Dane: dane,
                DaneFailure: new MtaStsFailure(MtaStsFailureKind.TlsaInvalid, "mismatch")),
            _ => new SessionFacts("mail.example.com", TlsStage.HandshakeFailed, TlsError: "alert", Dane: dane),
        };
        var (parsed, matches) = Policy(policy);
        var input = new DecisionInput("example.com", parsed, null, false, false, false, matches, facts);

        var verdict = DecisionTable.Decide(input, out var failure, out var decidedBy);

        verdict.Should().Be(expected, reason);
        decidedBy.Should().Be(mechanism, reason);
        if (verdict == MtaStsVerdict.FailClosed)
        {
            failure.Should().NotBeNull("a refusal says why: " + reason);
        }
    }

    [Theory]
    [InlineData(T.Bogus, "dnssec-invalid")]
    [InlineData(T.Indeterminate, "dnssec-invalid")]
    public void Decide_FailedTlsaLookup_ReportsDnssecInvalid(T tlsa, string resultType)
    {
        var input = new DecisionInput("example.com", null, null, false, false, false, true,
            new SessionFacts("mail.example.com", TlsStage.NotConnected, Dane: Dane(tlsa)));

        DecisionTable.Decide(input, out var failure, out _);

        failure!.ResultType.Should().Be(resultType);
    }

    [Theory]
    [InlineData(T.Insecure, "enforce", MtaStsVerdict.FailClosed, "dane-required", "RFC 8460 §4.3.2.1: DANE required, the zone is unsigned; enforce does not rescue it")]
    [InlineData(T.None, "none-policy", MtaStsVerdict.FailClosed, "dane-required", "DANE required, secure denial of TLSA")]
    [InlineData(T.OnlyUnusable, "none-policy", MtaStsVerdict.FailClosed, "dane-required", "DANE required: unusable records authenticate nothing")]
    [InlineData(T.Bogus, "none-policy", MtaStsVerdict.FailClosed, "dnssec-invalid", "a bogus lookup is reported as what it is (DANE-5)")]
    [InlineData(T.Usable, "enforce-other-mx", MtaStsVerdict.Deliver, null, "DANE required and usable TLSA: DANE decides as usual")]
    public void Decide_DaneRequired(T tlsa, string policy, MtaStsVerdict expected, string? resultType, string reason)
    {
        var (parsed, matches) = Policy(policy);
        var input = new DecisionInput("example.com", parsed, null, false, false, false, matches,
            new SessionFacts("mail.example.com", TlsStage.NotConnected, Dane: Dane(tlsa) with { Required = true }));

        var verdict = DecisionTable.Decide(input, out var failure, out var mechanism);

        verdict.Should().Be(expected, reason);
        mechanism.Should().Be(MtaStsMechanism.Dane, reason);
        failure?.ResultType.Should().Be(resultType, reason);
        (failure is null).Should().Be(resultType is null, reason);
    }

    [Fact]
    public void Decide_DaneAndBlockingDiscovery_DaneDecides()
    {
        // DANE-4: an MX with secure usable TLSA is decided by DANE even while MTA-STS discovery is failing closed.
        var input = new DecisionInput("example.com", null, new MtaStsFailure(MtaStsFailureKind.PolicyFetchError, "dns"), true, false, false, true,
            new SessionFacts("mail.example.com", TlsStage.Established, Dane: Dane(T.Usable)));

        DecisionTable.Decide(input, out _, out var mechanism).Should().Be(MtaStsVerdict.Deliver);
        mechanism.Should().Be(MtaStsMechanism.Dane);
    }

    internal static DaneState Dane(T tlsa)
    {
        var usable = new TlsaAssociation(3, 1, 1, new byte[32]);
        var unusable = new TlsaAssociation(1, 1, 1, new byte[32]);
        return tlsa switch
        {
            T.Usable => new DaneState(DnssecStatus.Secure, "_25._tcp.mail.example.com", [usable, unusable], ["mail.example.com"]),
            T.OnlyUnusable => new DaneState(DnssecStatus.Secure, "_25._tcp.mail.example.com", [unusable, unusable with { Usage = 0 }], ["mail.example.com"]),
            T.Bogus => new DaneState(DnssecStatus.Bogus, "_25._tcp.mail.example.com", [], ["mail.example.com"], "SERVFAIL"),
            T.Indeterminate => new DaneState(DnssecStatus.Indeterminate, "_25._tcp.mail.example.com", [], ["mail.example.com"], "timeout"),
            T.None => new DaneState(DnssecStatus.Secure, "_25._tcp.mail.example.com", [], ["mail.example.com"]),
            _ => DaneState.Insecure("mail.example.com"),
        };
    }

    private static (MtaStsPolicy? Policy, bool Matches) Policy(string name)
    {
        var (mode, mx) = name switch
        {
            "enforce" => ("enforce", "mail.example.com"),
            "enforce-other-mx" => ("enforce", "other.example.com"),
            "testing" => ("testing", "mail.example.com"),
            _ => (null, null),
        };
        if (mode is null)
        {
            return (null, true);
        }

        MtaStsPolicy.TryParse($"version: STSv1\nmode: {mode}\nmx: {mx}\nmax_age: 86400\n", out var policy, out _).Should().BeTrue();
        return (policy, policy!.Matches("mail.example.com"));
    }
}
