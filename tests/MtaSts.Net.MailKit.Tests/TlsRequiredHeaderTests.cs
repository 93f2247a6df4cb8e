using MimeKit;
using MtaSts.MailKit.Delivery;

namespace MtaSts.MailKit.Tests;

/// <summary><c>TLS-Required: No</c> (RFC 8689 §3, §4.3; RT-2..RT-5): honoured only when the sender opted in.</summary>
public sealed class TlsRequiredHeaderTests : DemoWorldTest
{
    [Theory]
    [InlineData(true, "No", false, MtaStsDeliveryStatus.Delivered, true, "RT-2 opted in: the enforce failure is set aside")]
    [InlineData(true, " no ", false, MtaStsDeliveryStatus.Delivered, true, "RT-4 case-insensitive after trimming")]
    [InlineData(false, "No", false, MtaStsDeliveryStatus.Deferred, false, "RT-5 off by default: the policy is enforced")]
    [InlineData(true, "yes", false, MtaStsDeliveryStatus.Deferred, false, "RT-4 any other value is as if absent")]
    [InlineData(true, null, false, MtaStsDeliveryStatus.Deferred, false, "no header field")]
    [InlineData(true, "No", true, MtaStsDeliveryStatus.Deferred, false, "RT-3 REQUIRETLS wins over the header field")]
    public async Task Send_ExpiredCertificateUnderEnforce(bool honor, string? header, bool requireTls, MtaStsDeliveryStatus expected, bool honored, string reason)
    {
        World.PublishPolicy("tlsreq.test", "enforce", "mx.tlsreq.test");
        World.Dns.SetMx("tlsreq.test", (10, "mx.tlsreq.test"));
        var receiver = await World.AddReceiverAsync("mx.tlsreq.test", 19, World.Ca.IssueExpired("mx.tlsreq.test"));
        var message = Message("bob@tlsreq.test");
        if (header is not null)
        {
            message.Headers.Add("TLS-Required", header);
        }

        var options = World.SenderOptions();
        options.HonorTlsRequiredHeader = honor;
        var result = (await new MtaStsDirectSender(Enforcer, options).SendAsync(message, MailboxAddress.Parse("alice@sender.test"),
            [MailboxAddress.Parse("bob@tlsreq.test")], requireTls)).Should().ContainSingle().Subject;

        result.Status.Should().Be(expected, reason);
        result.TlsRequiredNoHonored.Should().Be(honored, reason);
        receiver.Messages.Should().HaveCount(expected == MtaStsDeliveryStatus.Delivered ? 1 : 0, reason);
        if (honored)
        {
            receiver.Messages.Single().OverTls.Should().BeTrue("RT-2 STARTTLS is still used when offered");
        }
    }
}
