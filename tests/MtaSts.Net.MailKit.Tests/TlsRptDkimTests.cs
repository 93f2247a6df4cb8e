using System.Security.Cryptography;
using MimeKit;
using MimeKit.Cryptography;
using MtaSts.Reporting;
using Org.BouncyCastle.Crypto;

namespace MtaSts.MailKit.Tests;

/// <summary>
/// RFC 8460 §3 (RPT-17): report mail carries a valid DKIM signature of the reporting domain. Signed by the transport,
/// delivered over SMTP to a loopback receiver, and verified there by MimeKit's DkimVerifier against the public key.
/// </summary>
public sealed class TlsRptDkimTests : DemoWorldTest
{
    private readonly RSA _key = RSA.Create(2048);

    public override async Task DisposeAsync()
    {
        _key.Dispose();
        await base.DisposeAsync();
    }

    [Fact]
    public async Task Mailto_DkimKeyConfigured_ReceivedReportVerifies()
    {
        var message = await DeliverReportAsync(new TlsRptOptions
        {
            OrganizationName = "Sender", ContactInfo = "tlsrpt@sender.test",
            DkimDomain = "sender.test", DkimSelector = "tlsrpt", DkimPrivateKey = _key.ExportPkcs8PrivateKeyPem(),
        });

        var signature = message.Headers[HeaderId.DkimSignature];
        signature.Should().NotBeNull("a DKIM key is configured").And.Contain("d=sender.test").And.Contain("s=tlsrpt");
        signature.Should().NotContain("l=", "RPT-17: no body length limit");
        signature.Should().MatchRegex("(?i)h=[^;]*tls-report-domain").And.MatchRegex("(?i)h=[^;]*tls-report-submitter").And.MatchRegex("(?i)h=[^;]*from");
        var locator = new KeyLocator(_key);
        (await new DkimVerifier(locator).VerifyAsync(message, message.Headers[message.Headers.IndexOf(HeaderId.DkimSignature)]))
            .Should().BeTrue("the received message verifies against the public key");
        locator.Asked.Should().Equal([("sender.test", "tlsrpt")]);

        message.Headers["TLS-Report-Domain"] = "other.test"; // a signed header changed on the way
        (await new DkimVerifier(new KeyLocator(_key)).VerifyAsync(message, message.Headers[message.Headers.IndexOf(HeaderId.DkimSignature)]))
            .Should().BeFalse("TLS-Report-Domain is covered by the signature");
    }

    [Fact]
    public async Task Mailto_DkimDomainNotAlignedWithFrom_NotSent()
    {
        var receiver = await World.AddReceiverAsync("mx.reports.test", 46, World.Ca.IssueFor("mx.reports.test"));
        World.Dns.SetMx("reports.test", (10, "mx.reports.test"));
        var start = new DateTimeOffset(2026, 11, 27, 0, 0, 0, TimeSpan.Zero);
        var report = new TlsRptReport("Sender", start, start.AddDays(1).AddSeconds(-1), "tlsrpt@sender.test", "2026-11-27_example.com_a@sender.test", []);
        var options = new TlsRptOptions { DkimDomain = "other.test", DkimSelector = "tlsrpt", DkimPrivateKey = _key.ExportPkcs8PrivateKeyPem() };

        var failure = await new TlsRptMailTransport(World.DnsClient(), World.SenderOptions(), options)
            .DeliverAsync(new Uri("mailto:tlsrpt@reports.test"), TlsRptEnvelope.Create(report, "example.com"));

        failure.Should().Contain("DKIM domain other.test is not the domain of tlsrpt@sender.test", "RFC 8460 §3: an unaligned signature is never sent");
        receiver.Messages.Should().BeEmpty();
    }

    [Fact]
    public async Task Mailto_NoDkimKey_Unsigned()
    {
        var message = await DeliverReportAsync(new TlsRptOptions { OrganizationName = "Sender", ContactInfo = "tlsrpt@sender.test" });

        message.Headers.Contains(HeaderId.DkimSignature).Should().BeFalse();
    }

    [Theory]
    [InlineData("sender.test", null, true)]       // no selector
    [InlineData("sender.test", "tlsrpt", false)]  // no key
    public void Transport_IncompleteDkimSettings_Throws(string domain, string? selector, bool withKey)
    {
        var options = new TlsRptOptions { DkimDomain = domain, DkimSelector = selector, DkimPrivateKey = withKey ? _key.ExportPkcs8PrivateKeyPem() : null };
        var create = () => new TlsRptMailTransport(World.DnsClient(), World.SenderOptions(), options);
        create.Should().Throw<ArgumentException>().WithMessage("*DKIM*");
    }

    [Fact]
    public void Transport_KeyNotPem_ThrowsArgumentException()
    {
        var options = new TlsRptOptions { DkimDomain = "sender.test", DkimSelector = "tlsrpt", DkimPrivateKey = "not a key" };
        var create = () => new TlsRptMailTransport(World.DnsClient(), World.SenderOptions(), options);
        create.Should().Throw<ArgumentException>().WithMessage("*PEM*");
    }

    private async Task<MimeMessage> DeliverReportAsync(TlsRptOptions options)
    {
        var receiver = await World.AddReceiverAsync("mx.reports.test", 46, World.Ca.IssueFor("mx.reports.test"));
        World.Dns.SetMx("reports.test", (10, "mx.reports.test"));
        var start = new DateTimeOffset(2026, 11, 27, 0, 0, 0, TimeSpan.Zero);
        var report = new TlsRptReport("Sender", start, start.AddDays(1).AddSeconds(-1), "tlsrpt@sender.test", "2026-11-27_example.com_a@sender.test", []);

        var failure = await new TlsRptMailTransport(World.DnsClient(), World.SenderOptions(), options)
            .DeliverAsync(new Uri("mailto:tlsrpt@reports.test"), TlsRptEnvelope.Create(report, "example.com"));

        failure.Should().BeNull();
        var received = receiver.Messages.Should().ContainSingle().Subject;
        return await MimeMessage.LoadAsync(new MemoryStream(received.Data));
    }

    // The DNS lookup of <selector>._domainkey.<domain>, answered with the test key's record.
    private sealed class KeyLocator(RSA key) : DkimPublicKeyLocatorBase
    {
        private readonly string _record = $"v=DKIM1; k=rsa; s=tlsrpt; p={Convert.ToBase64String(key.ExportSubjectPublicKeyInfo())}";

        public List<(string Domain, string Selector)> Asked { get; } = [];

        public override AsymmetricKeyParameter LocatePublicKey(string methods, string domain, string selector, CancellationToken cancellationToken = default)
        {
            Asked.Add((domain, selector));
            return GetPublicKey(_record);
        }

        public override Task<AsymmetricKeyParameter> LocatePublicKeyAsync(string methods, string domain, string selector, CancellationToken cancellationToken = default) =>
            Task.FromResult(LocatePublicKey(methods, domain, selector, cancellationToken));
    }
}
