using System.Diagnostics;
using MimeKit;
using MtaSts;
using MtaSts.Demo;
using MtaSts.MailKit.Delivery;

// The README's main job: MTA-STS against a STARTTLS-stripping attacker, all on loopback, no internet.
var watch = Stopwatch.StartNew();
await using var world = await DemoWorld.StartAsync();
foreach (var scenario in Scenarios.All)
{
    await scenario.SetUpAsync(world);
}

using var enforcer = MtaStsEnforcer.Create(world.EnforcerOptions());
var recorder = new MtaSts.Reporting.TlsRptRecorder(); // TLS-RPT (RFC 8460): every session is counted
var senderOptions = world.SenderOptions();
senderOptions.UseDane = true; // DANE (RFC 7672) beside MTA-STS: the loopback resolver validates the signed zones of scenarios 7-9
var sender = new MtaStsDirectSender(enforcer, senderOptions, recorder: recorder);

Console.WriteLine("MTA-STS demo: every server below is a real one on 127.0.0.0/8 (DNS, HTTPS policy host, SMTP with STARTTLS, an on-path proxy).");
Console.WriteLine("Rows 7-9 add DANE: the DNS server plays a validating resolver for their DNSSEC-signed zones.");
Console.WriteLine();
var rows = new List<string[]> { new[] { "#", "scenario", "network", "policy", "outcome", "what the receiver got", "as expected" } };
var allOk = true;
foreach (var scenario in Scenarios.All)
{
    var message = new MimeMessage();
    message.From.Add(MailboxAddress.Parse("alice@sender.demo.test"));
    message.To.Add(MailboxAddress.Parse($"bob@{scenario.Domain}"));
    message.Subject = $"Scenario {scenario.Number}: {scenario.Name}";
    message.Body = new TextPart("plain") { Text = "The quarterly numbers are attached. Confidential." };

    var result = (await sender.SendAsync(message)).Single();
    var receiver = world.Receivers[scenario.Receiver];
    var view = new ReceiverView(receiver.Sessions, receiver.Messages.Count(m => !m.OverTls), receiver.Messages.Count(m => m.OverTls));
    var ok = scenario.Expect(result, view);
    allOk &= ok;
    rows.Add([scenario.Number.ToString(System.Globalization.CultureInfo.InvariantCulture), scenario.Name, scenario.Network, scenario.Policy, Describe(result), view.ToString(), ok ? "yes" : "NO"]);
}

var widths = Enumerable.Range(0, rows[0].Length).Select(i => rows.Max(r => r[i].Length)).ToArray();
foreach (var (row, index) in rows.Select((r, i) => (r, i)))
{
    Console.WriteLine(string.Join("  ", row.Select((cell, i) => cell.PadRight(widths[i]))).TrimEnd());
    if (index == 0)
    {
        Console.WriteLine(string.Join("  ", widths.Select(w => new string('-', w))));
    }
}

// What scenario 3 (testing, STARTTLS stripped) leaves for the domain owner's daily TLS-RPT report.
var reportJson = recorder.PreviewReportJson("testing.test", DateOnly.FromDateTime(DateTime.UtcNow), "MtaSts.Net demo", "tlsrpt@sender.demo.test");
using var report = reportJson is null ? null : System.Text.Json.JsonDocument.Parse(reportJson);
var details = report?.RootElement.GetProperty("policies")[0].GetProperty("failure-details");
var entry = details is { ValueKind: System.Text.Json.JsonValueKind.Array } d && d.GetArrayLength() == 1 ? d[0] : (System.Text.Json.JsonElement?)null;
string? Field(string name) => entry is { } e && e.TryGetProperty(name, out var v) ? v.ToString() : null;
allOk &= Field("result-type") == "starttls-not-supported" && Field("failed-session-count") == "1";
Console.WriteLine();
Console.WriteLine("TLS-RPT failure entry recorded for testing.test (scenario 3), as it will appear in the daily report:");
Console.WriteLine(entry is null ? "  (none — unexpected)" : $"  result-type {Field("result-type")}, failed-session-count {Field("failed-session-count")}, " +
    $"receiving-mx-hostname {Field("receiving-mx-hostname")},\n  failure-reason-code: {Field("failure-reason-code")}");

Console.WriteLine();
Console.WriteLine($"{(allOk ? "All scenarios ended as MTA-STS requires" : "SOME SCENARIOS DID NOT END AS EXPECTED")} ({watch.Elapsed.TotalSeconds:0.0} s).");
return allOk ? 0 : 1;

static string Describe(MtaStsDeliveryResult result)
{
    var failure = result.Attempts.Select(a => a.Decision?.Failure).LastOrDefault(f => f is not null) ?? result.DeliveredVia?.Decision.Failure;
    var byDane = result.Attempts.Any(a => a.Decision?.Mechanism == MtaStsMechanism.Dane) ? ", by DANE" : string.Empty;
    var detail = failure is null ? string.Empty : $" ({failure.ResultType}{(failure.ReasonCode is "starttls-likely-stripped" or "mx-not-in-policy" ? ", " + failure.ReasonCode : string.Empty)}{byDane})";
    return result.Status switch
    {
        MtaStsDeliveryStatus.Delivered when result.DeliveredVia is { IsEncrypted: true, Decision.Mechanism: MtaStsMechanism.Dane } =>
            $"delivered over {result.DeliveredVia.TlsProtocol?.ToString().Replace("Tls1", "TLS 1.", StringComparison.Ordinal)}, certificate matched its TLSA record (DANE)",
        MtaStsDeliveryStatus.Delivered when result.DeliveredVia!.IsEncrypted =>
            $"delivered over {result.DeliveredVia.TlsProtocol?.ToString().Replace("Tls1", "TLS 1.", StringComparison.Ordinal)}, certificate verified",
        MtaStsDeliveryStatus.Delivered => $"delivered in plaintext{detail}",
        MtaStsDeliveryStatus.Deferred when result.Attempts.All(a => a.Address is null) => $"refused before connecting, deferred{detail}",
        MtaStsDeliveryStatus.Deferred => $"refused, deferred{detail}",
        _ => $"failed: {result.Reason}",
    };
}
