using MtaSts.MailKit.Delivery;

namespace MtaSts.Demo;

/// <summary>
/// The demo scenarios: six for MTA-STS (seven rows: scenario 4 shows two bad certificates), then three for DANE
/// (RFC 7672) beside it, in DNSSEC-signed zones of the loopback resolver.
/// </summary>
public static class Scenarios
{
    public static IReadOnlyList<Scenario> All { get; } =
    [
        new(1, "enforce, honest network", "honest", "enforce", "honest.test", "mx.honest.test",
            async w =>
            {
                w.PublishPolicy("honest.test", "enforce", "mx.honest.test");
                w.Dns.SetMx("honest.test", (10, "mx.honest.test"));
                await w.AddReceiverAsync("mx.honest.test", 11, w.Ca.IssueFor("mx.honest.test"));
            },
            (r, got) => r.Status == MtaStsDeliveryStatus.Delivered && r.DeliveredVia is { IsEncrypted: true, Decision.Verdict: MtaStsVerdict.Deliver }
                && got.TlsMessages == 1 && got.PlainMessages == 0),

        new(2, "enforce, STARTTLS stripped", "STARTTLS stripped", "enforce", "stripped.test", "mx.stripped.test",
            async w =>
            {
                w.PublishPolicy("stripped.test", "enforce", "mx.stripped.test");
                w.Dns.SetMx("stripped.test", (10, "mx.stripped.test"));
                var receiver = await w.AddReceiverAsync("real.stripped.test", 22, w.Ca.IssueFor("mx.stripped.test"));
                w.AddStrippingProxy("mx.stripped.test", 12, receiver);
                w.Receivers["mx.stripped.test"] = receiver;
            },
            (r, got) => r.Status == MtaStsDeliveryStatus.Deferred && got.PlainMessages == 0 && got.TlsMessages == 0
                && r.Attempts.Any(a => a.Decision?.Failure?.Kind == MtaStsFailureKind.StartTlsNotSupported && a.Outcome?.DowngradeEvidence is not null)),

        new(3, "testing, STARTTLS stripped", "STARTTLS stripped", "testing", "testing.test", "mx.testing.test",
            async w =>
            {
                w.PublishPolicy("testing.test", "testing", "mx.testing.test");
                w.Dns.SetMx("testing.test", (10, "mx.testing.test"));
                var receiver = await w.AddReceiverAsync("real.testing.test", 23, w.Ca.IssueFor("mx.testing.test"));
                w.AddStrippingProxy("mx.testing.test", 13, receiver);
                w.Receivers["mx.testing.test"] = receiver;
            },
            (r, got) => r.Status == MtaStsDeliveryStatus.Delivered && got.PlainMessages == 1
                && r.DeliveredVia is { IsEncrypted: false, Decision: { Verdict: MtaStsVerdict.DeliverAndReport, Failure.ResultType: "starttls-not-supported" } }),

        new(4, "enforce, expired MX certificate", "honest", "enforce", "expired.test", "mx.expired.test",
            async w =>
            {
                w.PublishPolicy("expired.test", "enforce", "mx.expired.test");
                w.Dns.SetMx("expired.test", (10, "mx.expired.test"));
                await w.AddReceiverAsync("mx.expired.test", 14, w.Ca.IssueExpired("mx.expired.test"));
            },
            (r, got) => r.Status == MtaStsDeliveryStatus.Deferred && got.PlainMessages + got.TlsMessages == 0
                && r.Attempts.Any(a => a.Decision?.Failure?.Kind == MtaStsFailureKind.CertificateExpired)),

        new(4, "enforce, wrong-host MX certificate", "honest", "enforce", "wronghost.test", "mx.wronghost.test",
            async w =>
            {
                w.PublishPolicy("wronghost.test", "enforce", "mx.wronghost.test");
                w.Dns.SetMx("wronghost.test", (10, "mx.wronghost.test"));
                await w.AddReceiverAsync("mx.wronghost.test", 15, w.Ca.IssueFor("some-other-host.test"));
            },
            (r, got) => r.Status == MtaStsDeliveryStatus.Deferred && got.PlainMessages + got.TlsMessages == 0
                && r.Attempts.Any(a => a.Decision?.Failure?.Kind == MtaStsFailureKind.CertificateHostMismatch)),

        new(5, "no MTA-STS, STARTTLS stripped", "STARTTLS stripped", "none published", "plain.test", "mx.plain.test",
            async w =>
            {
                w.Dns.SetMx("plain.test", (10, "mx.plain.test"));
                var receiver = await w.AddReceiverAsync("real.plain.test", 26, w.Ca.IssueFor("mx.plain.test"));
                w.AddStrippingProxy("mx.plain.test", 16, receiver);
                w.Receivers["mx.plain.test"] = receiver;
            },
            (r, got) => r.Status == MtaStsDeliveryStatus.Delivered && got.PlainMessages == 1 && r.DeliveredVia is { IsEncrypted: false }),

        new(6, "enforce, MX answer points to attacker", "DNS MX forged", "enforce", "hijacked.test", "mx.evil.test",
            async w =>
            {
                w.PublishPolicy("hijacked.test", "enforce", "mx.hijacked.test");
                w.Dns.SetMx("hijacked.test", (10, "mx.evil.test"));
                await w.AddReceiverAsync("mx.evil.test", 17, w.Ca.IssueFor("mx.evil.test"));
            },
            (r, got) => r.Status == MtaStsDeliveryStatus.Deferred && got.Sessions == 0
                && r.Attempts.All(a => a.Address is null && a.Decision?.Failure?.Kind == MtaStsFailureKind.MxNotInPolicy)),

        new(7, "DANE, self-signed MX certificate", "honest", "none; TLSA 3 1 1", "daneonly.test", "mx.daneonly.test",
            async w =>
            {
                var certificate = DemoWorld.SelfSigned("mx.daneonly.test"); // the receiver presents it: not disposed here
                w.Dns.SetSigned("daneonly.test");
                w.Dns.SetMx("daneonly.test", (10, "mx.daneonly.test"));
                w.Dns.SetTlsa("_25._tcp.mx.daneonly.test", (3, 1, 1, DemoWorld.SpkiSha256(certificate)));
                await w.AddReceiverAsync("mx.daneonly.test", 19, certificate);
            },
            (r, got) => r.Status == MtaStsDeliveryStatus.Delivered && got.TlsMessages == 1 && got.PlainMessages == 0
                && r.DeliveredVia is { IsEncrypted: true, Decision.Mechanism: MtaStsMechanism.Dane, Decision.Failure: null }),

        new(8, "enforce + DANE, misissued certificate", "CA-valid cert, wrong key", "enforce; TLSA 3 1 1", "pinned.test", "mx.pinned.test",
            async w =>
            {
                using var pinned = w.Ca.IssueFor("mx.pinned.test");
                w.PublishPolicy("pinned.test", "enforce", "mx.pinned.test");
                w.Dns.SetSigned("pinned.test");
                w.Dns.SetMx("pinned.test", (10, "mx.pinned.test"));
                w.Dns.SetTlsa("_25._tcp.mx.pinned.test", (3, 1, 1, DemoWorld.SpkiSha256(pinned)));
                await w.AddReceiverAsync("mx.pinned.test", 20, w.Ca.IssueFor("mx.pinned.test")); // passes MTA-STS, not the TLSA
            },
            (r, got) => r.Status == MtaStsDeliveryStatus.Deferred && got.PlainMessages + got.TlsMessages == 0
                && r.Attempts.Any(a => a.Decision is { Mechanism: MtaStsMechanism.Dane, Failure.Kind: MtaStsFailureKind.TlsaInvalid })),

        new(9, "DANE, STARTTLS stripped", "STARTTLS stripped", "none; TLSA 3 1 1", "danestrip.test", "mx.danestrip.test",
            async w =>
            {
                var certificate = w.Ca.IssueFor("mx.danestrip.test");
                w.Dns.SetSigned("danestrip.test");
                w.Dns.SetMx("danestrip.test", (10, "mx.danestrip.test"));
                w.Dns.SetTlsa("_25._tcp.mx.danestrip.test", (3, 1, 1, DemoWorld.SpkiSha256(certificate)));
                var receiver = await w.AddReceiverAsync("real.danestrip.test", 27, certificate);
                w.AddStrippingProxy("mx.danestrip.test", 21, receiver);
                w.Receivers["mx.danestrip.test"] = receiver;
            },
            (r, got) => r.Status == MtaStsDeliveryStatus.Deferred && got.PlainMessages == 0
                && r.Attempts.Any(a => a.Decision is { Mechanism: MtaStsMechanism.Dane, Failure.Kind: MtaStsFailureKind.StartTlsNotSupported })),
    ];
}
