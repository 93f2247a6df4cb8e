using System.Net.Sockets;
using MailKit.Net.Smtp;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using MtaSts.Dane;
using MtaSts.Demo;
using MtaSts.MailKit.Delivery;
using MtaSts.Reporting;

namespace MtaSts.MailKit.Tests;

/// <summary>
/// DANE through the SmtpClient hook (callers that resolve MX themselves), over the loopback validating resolver and
/// real SMTP with STARTTLS (RFC 7672, RFC 8461 §2, DANE-1..6); and the resolver checks DANE relies on (RFC 7672 §2.1).
/// </summary>
public sealed class DaneHookTests : DemoWorldTest
{
    private const string Domain = "hookdane.test";
    private const string Mx = "mx.hookdane.test";
    private const string Tlsa = "_25._tcp.mx.hookdane.test";

    [Fact]
    public async Task Hook_DaneEeMatchesSelfSigned_ConnectsDecidedByDane()
    {
        using var selfSigned = DaneDeliveryTests.SelfSigned(Mx);
        await SignedMxAsync(selfSigned, 70, policy: "enforce");
        World.Dns.SetTlsa(Tlsa, (3, 1, 1, TlsaMatcher.Associate(selfSigned, 1, 1)));
        var state = await Enforcer.GetPolicyAsync(Domain);
        using var client = new SmtpClient();

        var outcome = await client.ConnectWithMtaStsAndDaneAsync(Enforcer, state, Mx, await ConnectedSocketAsync(70), World.SmtpPort, default);

        outcome.Decision.Mechanism.Should().Be(MtaStsMechanism.Dane, "DANE-4: secure usable TLSA decides, the self-signed certificate would fail enforce");
        outcome.Decision.Verdict.Should().Be(MtaStsVerdict.Deliver);
        client.IsSecure.Should().BeTrue();
        var recorder = new TlsRptRecorder();
        recorder.Record(state, outcome.Decision);
        recorder.BuildReport(Domain, DateOnly.FromDateTime(DateTime.UtcNow), "test", "reports@sender.test")!.Policies
            .Should().ContainSingle().Which.PolicyType.Should().Be("tlsa", "DANE-6: the public Record files a DANE decision under tlsa");
        await client.DisconnectAsync(true);
    }

    [Fact]
    public async Task Hook_TlsaMismatch_RefusedThoughEnforceWouldPass()
    {
        using var good = World.Ca.IssueFor(Mx);
        using var other = World.Ca.IssueFor(Mx);
        await SignedMxAsync(good, 71, policy: "enforce");
        World.Dns.SetTlsa(Tlsa, (3, 1, 1, TlsaMatcher.Associate(other, 1, 1)));
        var state = await Enforcer.GetPolicyAsync(Domain);
        using var client = new SmtpClient();

        var act = async () => await client.ConnectWithMtaStsAndDaneAsync(Enforcer, state, Mx, await ConnectedSocketAsync(71), World.SmtpPort, default);

        var refused = (await act.Should().ThrowAsync<MtaStsDeliveryRefusedException>("DANE-1: MTA-STS never rescues a failing DANE validation")).Which;
        refused.Decision.Mechanism.Should().Be(MtaStsMechanism.Dane);
        refused.Decision.Failure!.ResultType.Should().Be("tlsa-invalid");
        client.IsConnected.Should().BeFalse();
    }

    [Fact]
    public async Task Hook_BogusTlsa_RefusedBeforeTheSession()
    {
        using var good = World.Ca.IssueFor(Mx);
        var receiver = await SignedMxAsync(good, 72, policy: "enforce");
        World.Dns.SetBogus(Tlsa);
        var state = await Enforcer.GetPolicyAsync(Domain);
        using var client = new SmtpClient();
        var socket = await ConnectedSocketAsync(72);

        var act = () => client.ConnectWithMtaStsAndDaneAsync(Enforcer, state, Mx, socket, World.SmtpPort, default);

        (await act.Should().ThrowAsync<MtaStsDeliveryRefusedException>()).Which.Decision.Failure!.ResultType.Should().Be("dnssec-invalid", "DANE-5");
        socket.SafeHandle.IsClosed.Should().BeTrue("the hook owns the socket it was given, also when it refuses");
        receiver.Messages.Should().BeEmpty();
    }

    [Fact]
    public async Task Hook_HostNotInTheSignedMxRRset_RefusedBeforeTheSession()
    {
        using var good = World.Ca.IssueFor("relay.hookdane.test");
        World.Dns.SetSigned(Domain);
        World.Dns.SetMx(Domain, (10, Mx));
        World.PublishPolicy(Domain, "testing", "*.hookdane.test");
        var receiver = await World.AddReceiverAsync("relay.hookdane.test", 73, good);
        var state = await Enforcer.GetPolicyAsync(Domain);
        using var client = new SmtpClient();

        var act = async () => await client.ConnectWithMtaStsAndDaneAsync(Enforcer, state, "relay.hookdane.test", await ConnectedSocketAsync(73), World.SmtpPort, default);

        // RFC 7672 §2.2.1: the caller's MX answer (from a resolver that may not validate) names a host the signed MX
        // RRset does not have: a forged answer would otherwise go to the attacker's host under testing, in plaintext.
        var refused = (await act.Should().ThrowAsync<MtaStsDeliveryRefusedException>()).Which;
        refused.Decision.Failure!.ResultType.Should().Be("dnssec-invalid");
        receiver.Messages.Should().BeEmpty();
    }

    [Fact]
    public async Task Hook_HostNotInAnUnsignedMxRRset_MtaStsDecides()
    {
        using var good = World.Ca.IssueFor("relay.hookdane.test");
        World.Dns.SetSigned("relay.hookdane.test");
        World.Dns.SetMx(Domain, (10, Mx));
        World.PublishPolicy(Domain, "testing", Mx);
        await World.AddReceiverAsync("relay.hookdane.test", 74, good);
        World.Dns.SetTlsa("_25._tcp.relay.hookdane.test", (3, 1, 1, new byte[32])); // signed, would fail if DANE applied
        var state = await Enforcer.GetPolicyAsync(Domain);
        using var client = new SmtpClient();

        var outcome = await client.ConnectWithMtaStsAndDaneAsync(Enforcer, state, "relay.hookdane.test", await ConnectedSocketAsync(74), World.SmtpPort, default);

        outcome.Decision.Mechanism.Should().Be(MtaStsMechanism.MtaSts, "RFC 7672 §2.2.1: without a secure MX RRset DANE does not apply");
        await client.DisconnectAsync(true);
    }

    [Fact]
    public async Task Sender_ResolverWithoutAd_WarnsOnce()
    {
        World.Dns.AuthenticatesRoot = false;
        using var logs = new FakeLoggerProvider();
        using var factory = LoggerFactory.Create(b => b.AddProvider(logs));
        var options = World.SenderOptions();
        options.UseDane = true;
        var sender = new MtaStsDirectSender(Enforcer, options, factory.CreateLogger<MtaStsDirectSender>());

        await sender.SendAsync(Message());
        await sender.SendAsync(Message());

        logs.Collector.GetSnapshot().Where(r => r.Id.Name == "DaneResolverNotValidating").Should().ContainSingle("checked once per sender, RFC 7672 §2.1");
        logs.Collector.GetSnapshot().Should().NotContain(r => r.Id.Name == "DaneResolverNotLocal", "the loopback resolver is on this machine");
    }

    [Fact]
    public async Task Sender_ValidatingLocalResolver_NoWarning()
    {
        using var logs = new FakeLoggerProvider();
        using var factory = LoggerFactory.Create(b => b.AddProvider(logs));
        var options = World.SenderOptions();
        options.UseDane = true;

        await new MtaStsDirectSender(Enforcer, options, factory.CreateLogger<MtaStsDirectSender>()).SendAsync(Message());

        logs.Collector.GetSnapshot().Should().NotContain(r => r.Id.Name != null && r.Id.Name.StartsWith("DaneResolver", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Host_ResolverWithoutAd_WarnedAtStart()
    {
        World.Dns.AuthenticatesRoot = false;
        using var logs = new FakeLoggerProvider();
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders().AddProvider(logs);
        AddWorld(builder.Services).AddMailKit(o => o.UseDane = true);
        using var host = builder.Build();

        await host.StartAsync();
        for (var i = 0; i < 100 && !logs.Collector.GetSnapshot().Any(r => r.Id.Name == "DaneResolverNotValidating"); i++)
        {
            await Task.Delay(100); // the check runs in the background: start is not held up by the resolver
        }

        await host.StopAsync();

        logs.Collector.GetSnapshot().Should().Contain(r => r.Id.Name == "DaneResolverNotValidating", "the check runs at start, before any delivery");
    }

    [Fact]
    public async Task Hook_TlsaAtTheCnameTarget_SniIsTheTlsaBaseDomain()
    {
        const string Target = "real.hookdane.test";
        using var selfSigned = DaneDeliveryTests.SelfSigned(Target);
        await using var mx = CnameMx(Target, 76, selfSigned);
        World.Dns.SetTlsa($"_25._tcp.{Target}", (3, 1, 1, TlsaMatcher.Associate(selfSigned, 1, 1)));
        var state = await Enforcer.GetPolicyAsync(Domain);
        using var client = new SmtpClient();

        var outcome = await client.ConnectWithMtaStsAndDaneAsync(Enforcer, state, Mx, await ConnectedSocketAsync(76), World.SmtpPort, default);

        outcome.Decision.Mechanism.Should().Be(MtaStsMechanism.Dane);
        mx.ServerNames.Should().Equal([Target], "RFC 7672 §8.1: with DANE the SNI is the TLSA base domain, here the CNAME-expanded name");
        await client.DisconnectAsync(true);
    }

    [Fact]
    public async Task Hook_CnameWithoutTlsa_SniIsTheMxHost()
    {
        const string Target = "real2.hookdane.test";
        using var certificate = World.Ca.IssueFor(Mx);
        await using var mx = CnameMx(Target, 77, certificate);
        var state = await Enforcer.GetPolicyAsync(Domain);
        using var client = new SmtpClient();

        var outcome = await client.ConnectWithMtaStsAndDaneAsync(Enforcer, state, Mx, await ConnectedSocketAsync(77), World.SmtpPort, default);

        outcome.Decision.Mechanism.Should().Be(MtaStsMechanism.MtaSts, "no TLSA anywhere: the enforce policy decides");
        mx.ServerNames.Should().Equal([Mx], "CERT-12: under MTA-STS the SNI is the MX host name, not its CNAME target");
        await client.DisconnectAsync(true);
    }

    // An MX host name in the signed zone that is a CNAME to Target, served by a scripted SMTP server that records the SNI.
    private ScriptedSmtpServer CnameMx(string target, int last, System.Security.Cryptography.X509Certificates.X509Certificate2 certificate)
    {
        World.Dns.SetSigned(Domain);
        World.Dns.SetMx(Domain, (10, Mx));
        World.PublishPolicy(Domain, "enforce", Mx);
        World.Dns.SetCname(Mx, target);
        World.Dns.SetA(target, DemoWorld.Address(last));
        return new ScriptedSmtpServer(new System.Net.IPEndPoint(DemoWorld.Address(last), World.SmtpPort), certificate);
    }

    private async Task<Testing.LoopbackSmtpReceiver> SignedMxAsync(System.Security.Cryptography.X509Certificates.X509Certificate2 certificate, int last, string policy)
    {
        World.Dns.SetSigned(Domain);
        World.Dns.SetMx(Domain, (10, Mx));
        World.PublishPolicy(Domain, policy, Mx);
        return await World.AddReceiverAsync(Mx, last, certificate);
    }

    private static MimeKit.MimeMessage Message() => DemoWorldTest.Message($"bob@{Domain}");

    private async Task<Socket> ConnectedSocketAsync(int last)
    {
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(DemoWorld.Address(last), World.SmtpPort);
        return socket;
    }
}
