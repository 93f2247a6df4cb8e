using MimeKit;
using MtaSts.Demo;
using MtaSts.MailKit.Delivery;

namespace MtaSts.MailKit.Tests;

/// <summary>Direct-to-MX delivery rules over the real DNS and SMTP wire (RFC 5321 §5.1, RFC 7505, RFC 8461 §5).</summary>
public sealed class DirectSenderTests : DemoWorldTest
{
    [Fact]
    public async Task Send_PreferredMxDown_FallsBackInPreferenceOrder()
    {
        World.PublishPolicy("order.test", "enforce", "*.order.test");
        World.Dns.SetMx("order.test", (20, "mx2.order.test"), (10, "mx1.order.test"));
        World.Dns.SetA("mx1.order.test", DemoWorld.Address(30)); // nothing listens there
        var second = await World.AddReceiverAsync("mx2.order.test", 31, World.Ca.IssueFor("mx2.order.test"));

        var result = await SendAsync("order.test");

        result.Status.Should().Be(MtaStsDeliveryStatus.Delivered);
        result.Attempts.Select(a => a.MxHost).Should().Equal("mx1.order.test", "mx2.order.test");
        result.Attempts[0].Error.Should().NotBeNullOrEmpty("the preferred MX was tried first and could not be reached");
        second.Messages.Should().ContainSingle().Which.OverTls.Should().BeTrue();
    }

    [Fact]
    public async Task Send_NoMxRecords_UsesTheImplicitMx()
    {
        World.PublishPolicy("implicit.test", "enforce", "implicit.test");
        var receiver = await World.AddReceiverAsync("implicit.test", 32, World.Ca.IssueFor("implicit.test"));

        var result = await SendAsync("implicit.test");

        result.Status.Should().Be(MtaStsDeliveryStatus.Delivered, "MXR-3, MXR-4 the domain is its own MX and matches the literal pattern");
        result.DeliveredVia!.MxHost.Should().Be("implicit.test");
        receiver.Messages.Should().ContainSingle();
    }

    [Fact]
    public async Task Send_ImplicitMxWithWildcardPolicy_Deferred()
    {
        World.PublishPolicy("implicit2.test", "enforce", "*.implicit2.test");
        var receiver = await World.AddReceiverAsync("implicit2.test", 33, World.Ca.IssueFor("implicit2.test"));

        var result = await SendAsync("implicit2.test");

        result.Status.Should().Be(MtaStsDeliveryStatus.Deferred, "MXR-4 *.implicit2.test does not match implicit2.test");
        receiver.Sessions.Should().Be(0);
    }

    [Fact]
    public async Task Send_NullMx_PermanentFailure()
    {
        World.Dns.SetMx("nullmx.test", (0, "."));
        var result = await SendAsync("nullmx.test");
        result.Status.Should().Be(MtaStsDeliveryStatus.Failed, "MXR-1");
        result.Reason.Should().Contain("RFC 7505");
        result.Attempts.Should().BeEmpty();
    }

    [Fact]
    public async Task Send_NullMxUnderEnforce_RechecksPolicyBeforeFailing()
    {
        World.PublishPolicy("nullenforce.test", "enforce", "mx.nullenforce.test");
        World.Dns.SetMx("nullenforce.test", (0, "."));
        await Enforcer.GetPolicyAsync("nullenforce.test");
        var before = World.Dns.Queries("_mta-sts.nullenforce.test");

        var result = await SendAsync("nullenforce.test");

        result.Status.Should().Be(MtaStsDeliveryStatus.Failed);
        result.PolicyRechecked.Should().BeTrue("FLOW-5 no permanent failure under enforce without a DNS re-check");
        World.Dns.Queries("_mta-sts.nullenforce.test").Should().Be(before + 1);
    }

    [Fact]
    public async Task Send_NoSuchDomain_PermanentFailure()
    {
        var result = await SendAsync("does-not-exist.test");
        result.Status.Should().Be(MtaStsDeliveryStatus.Failed);
        result.Reason.Should().Contain("NXDOMAIN");
    }

    [Fact]
    public async Task Send_EveryCandidateFailsUnderEnforce_Deferred()
    {
        World.PublishPolicy("allfail.test", "enforce", "*.allfail.test");
        World.Dns.SetMx("allfail.test", (10, "mx1.allfail.test"), (20, "mx2.allfail.test"));
        var one = await World.AddReceiverAsync("real1.allfail.test", 34, World.Ca.IssueFor("mx1.allfail.test"));
        var two = await World.AddReceiverAsync("real2.allfail.test", 35, World.Ca.IssueFor("mx2.allfail.test"));
        World.AddStrippingProxy("mx1.allfail.test", 36, one);
        World.AddStrippingProxy("mx2.allfail.test", 37, two);

        var result = await SendAsync("allfail.test");

        result.Status.Should().Be(MtaStsDeliveryStatus.Deferred, "FLOW-7 never a bounce");
        result.Attempts.Select(a => a.MxHost).Should().Equal("mx1.allfail.test", "mx2.allfail.test");
        result.Attempts.Should().OnlyContain(a => a.Decision!.Value.Failure!.Kind == MtaStsFailureKind.StartTlsNotSupported);
        one.Messages.Should().BeEmpty();
        two.Messages.Should().BeEmpty();
        result.PolicyRechecked.Should().BeTrue();
    }

    [Fact]
    public async Task Send_PolicyChangedSinceCached_RecheckFindsItAndDeliversAtOnce()
    {
        World.PublishPolicy("moved.test", "enforce", "old-mx.moved.test", id: "1");
        await Enforcer.GetPolicyAsync("moved.test"); // id 1 cached
        World.PublishPolicy("moved.test", "enforce", "new-mx.moved.test", id: "2");
        World.Dns.SetMx("moved.test", (10, "new-mx.moved.test"));
        var receiver = await World.AddReceiverAsync("new-mx.moved.test", 38, World.Ca.IssueFor("new-mx.moved.test"));

        var result = await SendAsync("moved.test");

        result.Status.Should().Be(MtaStsDeliveryStatus.Delivered, "FLOW-5 the re-check found id 2 and the retry used it");
        result.PolicyRechecked.Should().BeTrue();
        result.Policy!.RecordId.Should().Be("2");
        result.Attempts[0].Decision!.Value.Failure!.Kind.Should().Be(MtaStsFailureKind.MxNotInPolicy, "the first pass used cached id 1");
        receiver.Messages.Should().ContainSingle();
    }

    [Fact]
    public async Task Send_RecipientsOfSeveralDomains_OneResultPerDomain()
    {
        World.PublishPolicy("a.test", "enforce", "mx.a.test");
        World.Dns.SetMx("a.test", (10, "mx.a.test"));
        var a = await World.AddReceiverAsync("mx.a.test", 39, World.Ca.IssueFor("mx.a.test"));
        World.Dns.SetMx("b.test", (10, "mx.b.test"));
        var b = await World.AddReceiverAsync("mx.b.test", 29, World.Ca.IssueFor("mx.b.test"));

        var message = Message("x@a.test", "y@B.test", "z@a.test");
        var results = await new MtaStsDirectSender(Enforcer, World.SenderOptions()).SendAsync(message);

        results.Select(r => r.Domain).Should().Equal("a.test", "b.test");
        results.Should().OnlyContain(r => r.Status == MtaStsDeliveryStatus.Delivered);
        a.Messages.Should().ContainSingle().Which.To.Should().BeEquivalentTo("x@a.test", "z@a.test");
        b.Messages.Should().ContainSingle().Which.To.Should().BeEquivalentTo(["y@B.test"], "the envelope address is sent as given; only grouping normalises the domain");
    }

}
