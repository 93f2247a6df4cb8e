using MtaSts.Demo;
using MtaSts.MailKit.Delivery;

namespace MtaSts.MailKit.Tests;

/// <summary>
/// Hardening (CERT-2): an MX certificate must be a server certificate. One from the trusted CA whose extended key usage
/// is clientAuth only is not trusted for an MX. Needs the core validator to require serverAuth (a parallel change).
/// </summary>
public sealed class ServerAuthUsageTests : DemoWorldTest
{
    [Fact]
    public async Task Send_EnforceAndClientAuthOnlyCertificate_RefusedAsNotTrusted()
    {
        World.PublishPolicy("eku.test", "enforce", "mx.eku.test");
        World.Dns.SetMx("eku.test", (10, "mx.eku.test"));
        var receiver = await World.AddReceiverAsync("mx.eku.test", 62, World.Ca.IssueClientAuthOnly("mx.eku.test"));

        var result = await SendAsync("eku.test");

        result.Status.Should().Be(MtaStsDeliveryStatus.Deferred, "FLOW-2, FLOW-7");
        var attempt = result.Attempts.Should().ContainSingle().Subject;
        attempt.ErrorKind.Should().Be(MtaStsAttemptError.PolicyRefused);
        attempt.Decision!.Value.Failure!.ResultType.Should().Be("certificate-not-trusted");
        receiver.Messages.Should().BeEmpty();
    }
}
