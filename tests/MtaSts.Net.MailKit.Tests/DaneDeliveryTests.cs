using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using MtaSts.Dane;
using MtaSts.Demo;
using MtaSts.MailKit.Delivery;
using MtaSts.Testing;

namespace MtaSts.MailKit.Tests;

/// <summary>
/// DANE for SMTP (RFC 7672) in the direct sender, over real DNS (AD bit from the loopback resolver for the signed zone
/// <c>dane.test</c>, SERVFAIL for bogus names) and real SMTP with STARTTLS (RFC 8461 §2, DANE-1..5).
/// </summary>
public sealed class DaneDeliveryTests : DemoWorldTest
{
    private const string Domain = "dane.test";
    private const string Mx = "mx.dane.test";
    private const string Tlsa = "_25._tcp.mx.dane.test";
    private const string Backup = "mx2.dane.test";

    [Fact]
    public async Task Send_DaneEeMatchesExpiredCertificate_DeliversWhereEnforceWouldRefuse()
    {
        using var expired = World.Ca.IssueExpired(Mx);
        var receiver = await SignedMxAsync(expired, policy: "enforce");
        World.Dns.SetTlsa(Tlsa, (3, 1, 1, TlsaMatcher.Associate(expired, 1, 1)));

        var result = await SendDaneAsync();

        result.Status.Should().Be(MtaStsDeliveryStatus.Delivered, "DANE-3 DANE-EE(3) ignores the validity period; DANE-4 DANE decides this MX");
        result.DeliveredVia!.Decision.Mechanism.Should().Be(MtaStsMechanism.Dane);
        receiver.Messages.Should().ContainSingle().Which.OverTls.Should().BeTrue();
    }

    [Fact]
    public async Task Send_DaneEeMatchesWrongHostCertificate_Delivers()
    {
        using var wrongHost = World.Ca.IssueFor("somewhere-else.example");
        var receiver = await SignedMxAsync(wrongHost, policy: "enforce");
        World.Dns.SetTlsa(Tlsa, (3, 1, 1, TlsaMatcher.Associate(wrongHost, 1, 1)));

        var result = await SendDaneAsync();

        result.Status.Should().Be(MtaStsDeliveryStatus.Delivered, "DANE-3 DANE-EE(3) ignores the certificate's names");
        receiver.Messages.Should().ContainSingle();
    }

    [Fact]
    public async Task Send_DaneEeMatchesSelfSignedCertificate_Delivers()
    {
        using var selfSigned = SelfSigned(Mx);
        var receiver = await SignedMxAsync(selfSigned, policy: null);
        World.Dns.SetTlsa(Tlsa, (3, 0, 2, TlsaMatcher.Associate(selfSigned, 0, 2)));

        var result = await SendDaneAsync();

        result.Status.Should().Be(MtaStsDeliveryStatus.Delivered);
        result.DeliveredVia!.Decision.Mechanism.Should().Be(MtaStsMechanism.Dane);
        receiver.Messages.Should().ContainSingle();
    }

    [Fact]
    public async Task Send_DaneTaKeyWithAnchorOmitted_DeliversWhereEnforceWouldRefuse()
    {
        // RFC 7671 §5.2.3: the receiver sends only its leaf, issued by a private CA nobody trusts; the 2 1 0 record
        // publishes that CA's key, which signed the leaf.
        using var privateCa = new TestCertificateAuthority("Private DANE CA");
        using var leaf = privateCa.IssueFor(Mx);
        var receiver = await SignedMxAsync(leaf, policy: "enforce");
        World.Dns.SetTlsa(Tlsa, (2, 1, 0, privateCa.Root.PublicKey.ExportSubjectPublicKeyInfo()));

        var result = await SendDaneAsync();

        result.Status.Should().Be(MtaStsDeliveryStatus.Delivered, "the leaf is signed by the DANE-TA(2) key and names the MX");
        result.DeliveredVia!.Decision.Mechanism.Should().Be(MtaStsMechanism.Dane);
        receiver.Messages.Should().ContainSingle().Which.OverTls.Should().BeTrue();
    }

    [Fact]
    public async Task Send_TlsaMismatch_RefusedEvenThoughEnforcePolicyWouldPass()
    {
        using var good = World.Ca.IssueFor(Mx);
        using var other = World.Ca.IssueFor(Mx);
        var receiver = await SignedMxAsync(good, policy: "enforce");
        World.Dns.SetTlsa(Tlsa, (3, 1, 1, TlsaMatcher.Associate(other, 1, 1)));

        var result = await SendDaneAsync();

        result.Status.Should().Be(MtaStsDeliveryStatus.Deferred, "DANE-1 MTA-STS never rescues a failing DANE validation");
        var decision = result.Attempts.Should().ContainSingle().Subject.Decision!.Value;
        decision.Mechanism.Should().Be(MtaStsMechanism.Dane);
        decision.Failure!.ResultType.Should().Be("tlsa-invalid");
        receiver.Messages.Should().BeEmpty();
    }

    [Fact]
    public async Task Send_DaneWithStartTlsStripped_Refused()
    {
        using var certificate = World.Ca.IssueFor(Mx);
        var receiver = await SignedMxAsync(certificate, policy: null);
        World.AddStrippingProxy(Mx, 12, receiver);
        World.Dns.SetTlsa(Tlsa, (3, 1, 1, TlsaMatcher.Associate(certificate, 1, 1)));

        var result = await SendDaneAsync();

        result.Status.Should().Be(MtaStsDeliveryStatus.Deferred, "DANE-2 secure TLSA makes STARTTLS mandatory, even without a policy");
        result.Attempts.Should().ContainSingle().Which.Decision!.Value.Failure!.ResultType.Should().Be("starttls-not-supported");
        receiver.Messages.Should().BeEmpty();
    }

    [Fact]
    public async Task Send_BogusTlsa_RefusedBeforeConnecting()
    {
        using var good = World.Ca.IssueFor(Mx);
        var receiver = await SignedMxAsync(good, policy: "enforce");
        World.Dns.SetBogus(Tlsa);

        var result = await SendDaneAsync();

        result.Status.Should().Be(MtaStsDeliveryStatus.Deferred, "DANE-5 a bogus TLSA lookup makes the MX unusable; MTA-STS does not rescue it");
        result.Attempts.Should().ContainSingle().Which.Decision!.Value.Failure!.ResultType.Should().Be("dnssec-invalid");
        receiver.Sessions.Should().Be(0);
    }

    [Fact]
    public async Task Send_InsecureZone_FallsBackToMtaSts()
    {
        using var good = World.Ca.IssueFor(Mx);
        using var other = World.Ca.IssueFor(Mx);
        var receiver = await World.AddReceiverAsync(Mx, 11, good);
        World.Dns.SetMx(Domain, (10, Mx));
        World.PublishPolicy(Domain, "enforce", Mx);
        World.Dns.SetTlsa(Tlsa, (3, 1, 1, TlsaMatcher.Associate(other, 1, 1))); // unsigned: not to be trusted

        var result = await SendDaneAsync();

        result.Status.Should().Be(MtaStsDeliveryStatus.Delivered, "RFC 7672 §2.2: TLSA without DNSSEC is ignored; the enforce policy decides");
        result.DeliveredVia!.Decision.Mechanism.Should().Be(MtaStsMechanism.MtaSts);
        receiver.Messages.Should().ContainSingle();
    }

    [Fact]
    public async Task Send_OnlyUnusableTlsaAndStartTlsStripped_Refused()
    {
        using var certificate = World.Ca.IssueFor(Mx);
        var receiver = await SignedMxAsync(certificate, policy: null);
        World.AddStrippingProxy(Mx, 12, receiver);
        World.Dns.SetTlsa(Tlsa, (1, 1, 1, TlsaMatcher.Associate(certificate, 1, 1)));

        var result = await SendDaneAsync();

        result.Status.Should().Be(MtaStsDeliveryStatus.Deferred, "RFC 7672 §2.2 secure but unusable TLSA: TLS stays mandatory");
        receiver.Messages.Should().BeEmpty();
    }

    [Fact]
    public async Task Send_OnlyUnusableTlsaWithTls_DeliversUnauthenticated()
    {
        using var expired = World.Ca.IssueExpired(Mx);
        var receiver = await SignedMxAsync(expired, policy: null);
        World.Dns.SetTlsa(Tlsa, (0, 1, 1, TlsaMatcher.Associate(World.Ca.Root, 1, 1)));

        var result = await SendDaneAsync();

        result.Status.Should().Be(MtaStsDeliveryStatus.Delivered, "RFC 7672 §2.2 unusable-only TLSA: TLS without authentication");
        receiver.Messages.Should().ContainSingle().Which.OverTls.Should().BeTrue();
    }

    [Fact]
    public async Task Send_DaneOff_NoDnssecAskedAndTlsaIgnored()
    {
        using var good = World.Ca.IssueFor(Mx);
        using var other = World.Ca.IssueFor(Mx);
        var receiver = await SignedMxAsync(good, policy: "enforce");
        World.Dns.SetTlsa(Tlsa, (3, 1, 1, TlsaMatcher.Associate(other, 1, 1)));

        var result = (await new MtaStsDirectSender(Enforcer, World.SenderOptions()).SendAsync(Message($"bob@{Domain}"))).Should().ContainSingle().Subject;

        result.Status.Should().Be(MtaStsDeliveryStatus.Delivered, "DANE is opt-in");
        World.Dns.Queries(Tlsa).Should().Be(0);
        World.Dns.DnssecQueries.Should().Be(0);
        receiver.Messages.Should().ContainSingle();
    }

    [Fact]
    public async Task Send_TlsaMismatchWithRecorder_ReportedUnderTlsaPolicy()
    {
        using var good = World.Ca.IssueFor(Mx);
        using var other = World.Ca.IssueFor(Mx);
        await SignedMxAsync(good, policy: "enforce");
        var record = (Usage: (byte)3, Selector: (byte)1, Matching: (byte)1, Data: TlsaMatcher.Associate(other, 1, 1));
        World.Dns.SetTlsa(Tlsa, record);
        var recorder = new MtaSts.Reporting.TlsRptRecorder();

        await SendDaneAsync(recorder);

        // Through the state stores' form: the drained counters keep the tlsa kind, and a recorder they are restored into
        // builds the same block.
        var drained = recorder.Drain(DateOnly.MinValue);
        drained.Should().ContainSingle().Which.ToResult().PolicyType.Should().Be("tlsa", "the stores' form of the counters keeps the kind");
        recorder.Restore(drained);
        var restored = new MtaSts.Reporting.TlsRptRecorder();
        restored.Restore(drained);
        foreach (var r in new[] { recorder, restored })
        {
            var day = r.Domains(DateOnly.FromDateTime(DateTime.UtcNow)).Should().ContainSingle().Subject;
            var report = r.BuildReport(day, DateOnly.FromDateTime(DateTime.UtcNow), "test", "reports@sender.test")!;
            var policy = report.Policies.Should().ContainSingle("DANE decided the only session: no sts block").Subject;
            policy.PolicyType.Should().Be("tlsa", "DANE-6, RFC 8460 §4.3");
            policy.PolicyString.Should().Equal($"3 1 1 {Convert.ToHexStringLower(record.Data)}");
            policy.MxHost.Should().Equal(Mx);
            policy.TotalFailureSessionCount.Should().Be(1);
            policy.FailureDetails.Should().ContainSingle().Which.ResultType.Should().Be("tlsa-invalid");
        }
    }

    [Fact]
    public async Task Send_BogusTlsaWithRecorder_ReportedAsDnssecInvalid()
    {
        using var good = World.Ca.IssueFor(Mx);
        await SignedMxAsync(good, policy: "enforce");
        World.Dns.SetBogus(Tlsa);
        var recorder = new MtaSts.Reporting.TlsRptRecorder();

        await SendDaneAsync(recorder);

        var report = recorder.BuildReport(Domain, DateOnly.FromDateTime(DateTime.UtcNow), "test", "reports@sender.test")!;
        var policy = report.Policies.Should().ContainSingle().Subject;
        policy.PolicyType.Should().Be("tlsa");
        policy.FailureDetails.Should().ContainSingle().Which.ResultType.Should().Be("dnssec-invalid");
    }

    [Fact]
    public async Task Send_DaneRequiredButNoTlsa_RefusedAsDaneRequired()
    {
        using var good = World.Ca.IssueFor(Mx);
        var receiver = await SignedMxAsync(good, policy: "enforce");
        var recorder = new MtaSts.Reporting.TlsRptRecorder();

        var result = await SendDaneAsync(recorder, requireDaneFor: Domain);

        result.Status.Should().Be(MtaStsDeliveryStatus.Deferred, "RFC 8460 §4.3.2.1: DANE required, no TLSA; the enforce policy that would pass does not rescue it");
        var decision = result.Attempts.Should().ContainSingle().Subject.Decision!.Value;
        decision.Mechanism.Should().Be(MtaStsMechanism.Dane);
        decision.Failure!.Kind.Should().Be(MtaStsFailureKind.DaneRequired);
        receiver.Sessions.Should().Be(0, "refused before connecting");
        var policy = recorder.BuildReport(Domain, DateOnly.FromDateTime(DateTime.UtcNow), "test", "reports@sender.test")!.Policies.Should().ContainSingle().Subject;
        policy.PolicyType.Should().Be("tlsa", "DANE-6");
        policy.FailureDetails.Should().ContainSingle().Which.ResultType.Should().Be("dane-required");
    }

    [Fact]
    public async Task Send_DaneRequiredInUnsignedZone_Refused()
    {
        using var good = World.Ca.IssueFor(Mx);
        var receiver = await World.AddReceiverAsync(Mx, 11, good);
        World.Dns.SetMx(Domain, (10, Mx));
        World.Dns.SetTlsa(Tlsa, (3, 1, 1, TlsaMatcher.Associate(good, 1, 1))); // unsigned: not DNSSEC-validated

        var result = await SendDaneAsync(requireDaneFor: "DANE.test.");

        result.Status.Should().Be(MtaStsDeliveryStatus.Deferred, "TLSA without DNSSEC is no TLSA; DANE is required");
        result.Attempts.Should().ContainSingle().Which.Decision!.Value.Failure!.ResultType.Should().Be("dane-required");
        receiver.Sessions.Should().Be(0);
    }

    [Fact]
    public async Task Send_DaneRequiredAndMatched_Delivers()
    {
        using var selfSigned = SelfSigned(Mx);
        var receiver = await SignedMxAsync(selfSigned, policy: null);
        World.Dns.SetTlsa(Tlsa, (3, 1, 1, TlsaMatcher.Associate(selfSigned, 1, 1)));

        var result = await SendDaneAsync(requireDaneFor: Domain);

        result.Status.Should().Be(MtaStsDeliveryStatus.Delivered);
        receiver.Messages.Should().ContainSingle();
    }

    [Fact]
    public void Create_DaneRequiredWithoutUseDane_Rejected()
    {
        var options = World.SenderOptions();
        options.DaneRequiredDomains.Add(Domain);

        var create = () => new MtaStsDirectSender(Enforcer, options);

        create.Should().Throw<ArgumentException>().WithMessage("*UseDane*");
    }

    [Fact]
    public async Task Send_PrimaryDelivers_BackupMxDaneNeverLookedUp()
    {
        using var selfSigned = SelfSigned(Mx);
        var receiver = await SignedMxAsync(selfSigned, policy: null);
        World.Dns.SetMx(Domain, (10, Mx), (20, Backup));
        World.Dns.SetTlsa(Tlsa, (3, 1, 1, TlsaMatcher.Associate(selfSigned, 1, 1)));
        World.Dns.SetDelay(Backup, TimeSpan.FromSeconds(30)); // a backup whose lookups hang would hold up every delivery

        var result = await SendDaneAsync();

        result.Status.Should().Be(MtaStsDeliveryStatus.Delivered);
        receiver.Messages.Should().ContainSingle();
        World.Dns.Queries(Backup).Should().Be(0, "RFC 7672 §2.2: a host's DANE lookups run when the walk reaches it; the primary took the message");
        World.Dns.Queries($"_25._tcp.{Backup}").Should().Be(0);
    }

    [Fact]
    public async Task Send_PrimaryWithoutAddress_BackupLookedUpWhenReachedAndDecidedByDane()
    {
        using var selfSigned = SelfSigned(Backup);
        World.Dns.SetSigned(Domain);
        World.Dns.SetMx(Domain, (10, Mx), (20, Backup)); // the primary has no address record
        var receiver = await World.AddReceiverAsync(Backup, 12, selfSigned);
        World.Dns.SetTlsa($"_25._tcp.{Backup}", (3, 1, 1, TlsaMatcher.Associate(selfSigned, 1, 1)));

        var result = await SendDaneAsync();

        result.Status.Should().Be(MtaStsDeliveryStatus.Delivered);
        result.DeliveredVia!.Decision.Mechanism.Should().Be(MtaStsMechanism.Dane, "the backup's TLSA records were looked up when the walk reached it");
        World.Dns.Queries($"_25._tcp.{Backup}").Should().Be(1);
        receiver.Messages.Should().ContainSingle();
    }

    private async Task<LoopbackSmtpReceiver> SignedMxAsync(X509Certificate2 certificate, string? policy)
    {
        World.Dns.SetSigned(Domain);
        World.Dns.SetMx(Domain, (10, Mx));
        if (policy is not null)
        {
            World.PublishPolicy(Domain, policy, Mx);
        }

        return await World.AddReceiverAsync(Mx, 11, certificate);
    }

    private async Task<MtaStsDeliveryResult> SendDaneAsync(MtaSts.Reporting.TlsRptRecorder? recorder = null, string? requireDaneFor = null)
    {
        var options = World.SenderOptions();
        options.UseDane = true;
        if (requireDaneFor is not null)
        {
            options.DaneRequiredDomains.Add(requireDaneFor);
        }

        return (await new MtaStsDirectSender(Enforcer, options, null, recorder).SendAsync(Message($"bob@{Domain}"))).Should().ContainSingle().Subject;
    }

    internal static X509Certificate2 SelfSigned(string host)
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest($"CN={host}", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var san = new SubjectAlternativeNameBuilder();
        san.AddDnsName(host);
        request.CertificateExtensions.Add(san.Build());
        using var created = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30));
        return X509CertificateLoader.LoadPkcs12(created.Export(X509ContentType.Pfx), null);
    }
}
