using System.Text.Json;
using System.Text.Json.Nodes;
using Json.Schema;
using Microsoft.Extensions.Time.Testing;
using MtaSts.Decisions;
using MtaSts.Reporting;

namespace MtaSts.Tests.Reporting;

public class TlsRptReportTests
{
    // The report format of RFC 8460 §4.3/§4.4 as a JSON schema, written from the RFC text: exact field names, required
    // fields, integer counts, RFC 3339 date-times, policy-type values, mx-host as a string or an array (RPT-11),
    // IP addresses as address strings (RPT-13), additional-information a URI (RFC 8460 §4.4; free text belongs in failure-reason-code).
    private const string Schema = """
    {
      "$schema": "https://json-schema.org/draft/2020-12/schema",
      "type": "object",
      "required": ["organization-name", "date-range", "contact-info", "report-id", "policies"],
      "additionalProperties": false,
      "properties": {
        "organization-name": { "type": "string", "minLength": 1 },
        "date-range": {
          "type": "object", "required": ["start-datetime", "end-datetime"], "additionalProperties": false,
          "properties": {
            "start-datetime": { "type": "string", "format": "date-time", "pattern": "Z$" },
            "end-datetime": { "type": "string", "format": "date-time", "pattern": "Z$" }
          }
        },
        "contact-info": { "type": "string", "pattern": "^[^@\\s]+@[^@\\s]+$" },
        "report-id": { "type": "string", "minLength": 1 },
        "policies": {
          "type": "array",
          "items": {
            "type": "object", "required": ["policy", "summary"], "additionalProperties": false,
            "properties": {
              "policy": {
                "type": "object", "required": ["policy-type", "policy-domain"], "additionalProperties": false,
                "properties": {
                  "policy-type": { "enum": ["sts", "tlsa", "no-policy-found"] },
                  "policy-string": { "type": "array", "items": { "type": "string" } },
                  "policy-domain": { "type": "string", "pattern": "^[a-z0-9.-]+$" },
                  "mx-host": { "oneOf": [ { "type": "string" }, { "type": "array", "items": { "type": "string" } } ] }
                }
              },
              "summary": {
                "type": "object", "required": ["total-successful-session-count", "total-failure-session-count"], "additionalProperties": false,
                "properties": {
                  "total-successful-session-count": { "type": "integer", "minimum": 0 },
                  "total-failure-session-count": { "type": "integer", "minimum": 0 }
                }
              },
              "failure-details": {
                "type": "array",
                "items": {
                  "type": "object", "required": ["result-type", "failed-session-count"], "additionalProperties": false,
                  "properties": {
                    "result-type": { "enum": ["starttls-not-supported", "certificate-host-mismatch", "certificate-expired", "certificate-not-trusted",
                      "validation-failure", "tlsa-invalid", "dnssec-invalid", "dane-required", "sts-policy-fetch-error", "sts-policy-invalid", "sts-webpki-invalid"] },
                    "sending-mta-ip": { "type": "string", "anyOf": [ { "format": "ipv4" }, { "format": "ipv6" } ] },
                    "receiving-mx-hostname": { "type": "string" },
                    "receiving-mx-helo": { "type": "string" },
                    "receiving-ip": { "type": "string", "anyOf": [ { "format": "ipv4" }, { "format": "ipv6" } ] },
                    "failed-session-count": { "type": "integer", "minimum": 0 },
                    "additional-information": { "type": "string", "format": "uri" },
                    "failure-reason-code": { "type": "string" }
                  }
                }
              }
            }
          }
        }
      }
    }
    """;

    // Shaped like RFC 8460 Appendix B, written out by hand (mx-host as a string, as the example has it).
    private const string RfcExample = """
    {
      "organization-name": "Company-X",
      "date-range": { "start-datetime": "2016-04-01T00:00:00Z", "end-datetime": "2016-04-01T23:59:59Z" },
      "contact-info": "sts-reporting@company-x.example",
      "report-id": "5065427c-23d3-47ca-b6e0-946ea0e8c4be",
      "policies": [{
        "policy": {
          "policy-type": "sts",
          "policy-string": ["version: STSv1", "mode: testing", "mx: *.mail.company-y.example", "max_age: 86400"],
          "policy-domain": "company-y.example",
          "mx-host": "*.mail.company-y.example"
        },
        "summary": { "total-successful-session-count": 5326, "total-failure-session-count": 303 },
        "failure-details": [{
          "result-type": "certificate-expired",
          "sending-mta-ip": "2001:db8:abcd:0012::1",
          "receiving-mx-hostname": "mx1.mail.company-y.example",
          "failed-session-count": 100
        }, {
          "result-type": "starttls-not-supported",
          "sending-mta-ip": "2001:db8:abcd:0013::1",
          "receiving-mx-hostname": "mx2.mail.company-y.example",
          "receiving-ip": "203.0.113.56",
          "failed-session-count": 200,
          "additional-information": "https://reports.company-x.example/report_info?id=5065427c#StarttlsNotSupported"
        }, {
          "result-type": "validation-failure",
          "sending-mta-ip": "198.51.100.62",
          "receiving-ip": "203.0.113.58",
          "receiving-mx-hostname": "mx-backup.mail.company-y.example",
          "failed-session-count": 3,
          "failure-reason-code": "X509_V_ERR_PROXY_PATH_LENGTH_EXCEEDED"
        }]
      }]
    }
    """;

    private static readonly JsonSchema ReportSchema = JsonSchema.FromText(Schema);

    [Fact]
    public void RfcExample_ValidatesParsesAndRoundTrips()
    {
        Validate(RfcExample);
        var report = TlsRptReport.Parse(RfcExample);
        report.Policies.Single().MxHost.Should().Equal("*.mail.company-y.example");
        report.Policies.Single().FailureDetails.Sum(d => d.FailedSessionCount).Should().Be(303);

        var written = report.ToJson();
        Validate(written);
        var again = TlsRptReport.Parse(written);
        again.Should().BeEquivalentTo(report, "parse → write → parse keeps every field");
        JsonNode.Parse(written)!["policies"]![0]!["policy"]!["mx-host"].Should().BeOfType<JsonArray>("RPT-11: written as an array");
    }

    [Fact]
    public void RecordedSessions_BuildAValidReport()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 27, 15, 0, 0, TimeSpan.Zero));
        var recorder = new TlsRptRecorder(time);
        var testing = State("example.com", "testing", time);
        recorder.Record(testing, testing.EvaluateTls("mail.example.com", startTlsOffered: true, null, null, default) with { Failure = null, Verdict = MtaStsVerdict.Deliver });
        recorder.Record(testing, testing.EvaluateTls("mail.example.com", startTlsOffered: false, null, null, default),
            new TlsRptSession("192.0.2.1", "198.51.100.7", null, "EHLO keyword 'XXXXXXXA' ... STARTTLS likely stripped on path"));
        recorder.Record(testing, testing.EvaluateMx("evil.example.net"));
        var none = State("none.example", "none", time);
        recorder.Record(none, none.EvaluateTls("mx.none.example", false, null, null, default));
        var noPolicy = MtaStsPolicyState.WithoutPolicy("plain.example", null, EvaluationSettings.Default, false, false, null);
        recorder.Record(noPolicy, noPolicy.EvaluateTls("mx.plain.example", false, null, null, default));

        var report = recorder.BuildReport("example.com", new DateOnly(2026, 11, 27), "Example Sender", "tlsrpt@sender.example")!;
        var json = report.ToJson();

        Validate(json);
        var result = report.Policies.Single();
        result.PolicyType.Should().Be("sts");
        result.PolicyString.Should().Equal("version: STSv1", "mode: testing", "mx: mail.example.com", "max_age: 86400");
        result.TotalSuccessfulSessionCount.Should().Be(1);
        result.TotalFailureSessionCount.Should().Be(2);
        var stripped = result.FailureDetails.Single(d => d.ResultType == "starttls-not-supported");
        stripped.FailureReasonCode.Should().Contain("XXXXXXXA", "the downgrade evidence is text: failure-reason-code (RFC 8460 §4.4)");
        stripped.AdditionalInformation.Should().BeNull("additional-information holds only a URI");
        stripped.SendingMtaIp.Should().Be("192.0.2.1");
        result.FailureDetails.Single(d => d.ResultType == "certificate-host-mismatch").FailureReasonCode.Should().StartWith("mx-not-in-policy", "RPT-4");
        report.StartDateTime.Should().Be(new DateTimeOffset(2026, 11, 27, 0, 0, 0, TimeSpan.Zero));
        report.EndDateTime.Should().Be(new DateTimeOffset(2026, 11, 27, 23, 59, 59, TimeSpan.Zero), "RPT-14 reading");

        var noneReport = recorder.BuildReport("none.example", new DateOnly(2026, 11, 27), "Example Sender", "tlsrpt@sender.example")!;
        noneReport.Policies.Single().TotalFailureSessionCount.Should().Be(0, "RPT-23 no failures under none");
        var plain = recorder.BuildReport("plain.example", new DateOnly(2026, 11, 27), "Example Sender", "tlsrpt@sender.example")!;
        Validate(plain.ToJson());
        plain.Policies.Single().PolicyType.Should().Be("no-policy-found");
    }

    [Fact]
    public void Record_ValidTxtButPolicyUnfetchable_CountedAsFetchErrorUnderNoPolicyFound()
    {
        // RPT-1, FLOW-8: a valid TXT record whose policy could not be fetched is delivered, and reported.
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 27, 15, 0, 0, TimeSpan.Zero));
        var recorder = new TlsRptRecorder(time);
        var fetchFailed = MtaStsPolicyState.WithoutPolicy("fetchless.example", new MtaStsFailure(MtaStsFailureKind.PolicyFetchError, "mta-sts.fetchless.example: connection refused", "ConnectionError"), EvaluationSettings.Default, false, true, "id1");
        var decision = fetchFailed.EvaluateTls("mx.fetchless.example", true, null, null, default);
        decision.Verdict.Should().Be(MtaStsVerdict.DeliverAndReport);

        recorder.Record(fetchFailed, decision);
        recorder.Record(fetchFailed, decision);

        var result = recorder.BuildReport("fetchless.example", new DateOnly(2026, 11, 27), "Example Sender", "tlsrpt@sender.example")!.Policies.Single();
        result.PolicyType.Should().Be("no-policy-found");
        result.TotalFailureSessionCount.Should().Be(2);
        result.TotalSuccessfulSessionCount.Should().Be(0);
        result.FailureDetails.Single().ResultType.Should().Be("sts-policy-fetch-error");
    }

    [Fact]
    public void Recorder_DrainRestore_LosesNothing()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 27, 15, 0, 0, TimeSpan.Zero));
        var before = new TlsRptRecorder(time);
        var state = State("example.com", "enforce", time);
        for (var i = 0; i < 5; i++)
        {
            before.Record(state, state.EvaluateMx("mail.example.com"));
            before.Record(state, state.EvaluateMx("evil.example.net"));
        }

        var day = new DateOnly(2026, 11, 27);
        var expected = before.BuildReport("example.com", day, "o", "a@b.example", "id")!.ToJson();
        var after = new TlsRptRecorder(time);
        after.Restore(before.Drain(day)); // what a failed save does

        after.BuildReport("example.com", day, "o", "a@b.example", "id")!.ToJson().Should().Be(expected);
        before.BuildReport("example.com", day, "o", "a@b.example", "id")!.Policies.Single().TotalFailureSessionCount.Should().Be(0, "drained");
        after.BuildReport("example.com", day, "o", "a@b.example")!.Policies.Single().TotalFailureSessionCount.Should().Be(5);
    }

    [Theory]
    [InlineData("\"additional-information\"", "\"additional-info-uri\"", "RPT-12 the prose name is not a key")]
    [InlineData("5326", "\"5326\"", "RPT-13 counts are integers")]
    [InlineData("\"sts\"", "\"STS\"", "RPT-10 policy-type values are exact")]
    [InlineData("2016-04-01T00:00:00Z", "yesterday", "RPT-13 RFC 3339 date-time")]
    [InlineData("\"https://reports.company-x.example/report_info?id=5065427c#StarttlsNotSupported\"", "\"STARTTLS likely stripped on path\"", "RFC 8460 §4.4 additional-information is a URI")]
    [InlineData("\"203.0.113.56\"", "\"mx2.mail.company-y.example\"", "RPT-13 receiving-ip is an address")]
    public void Schema_RejectsDeviations(string from, string to, string reason)
    {
        var broken = RfcExample.Replace(from, to, StringComparison.Ordinal);
        broken.Should().NotBe(RfcExample);
        using var document = JsonDocument.Parse(broken);
        ReportSchema.Evaluate(document.RootElement, new EvaluationOptions { RequireFormatValidation = true }).IsValid.Should().BeFalse(reason);
    }

    [Theory]
    [InlineData("mx2.mail.company-y.example", "mx2.mail.company-y.example")] // RPT-9: the name the MX gave in its EHLO reply
    [InlineData("[203.0.113.56]", "[203.0.113.56]")]                          // an address literal
    [InlineData("mx\r\nevil", null)]                                         // control characters: not a name, left out
    [InlineData("mx.example ESMTP ready", null)]                              // free text: left out
    public void Record_ReceivingMxHelo_KeptOnlyWhenAName(string helo, string? expected)
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 27, 15, 0, 0, TimeSpan.Zero));
        var recorder = new TlsRptRecorder(time);
        var state = State("example.com", "testing", time);
        recorder.Record(state, state.EvaluateTls("mail.example.com", startTlsOffered: false, null, null, default), new TlsRptSession(ReceivingMxHelo: helo));

        recorder.BuildReport("example.com", new DateOnly(2026, 11, 27), "o", "a@b.example")!.Policies.Single().FailureDetails.Single()
            .ReceivingMxHelo.Should().Be(expected);
    }

    [Fact]
    public void Record_FreeTextGoesToFailureReasonCode_UriToAdditionalInformation()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 27, 15, 0, 0, TimeSpan.Zero));
        var recorder = new TlsRptRecorder(time);
        var state = State("example.com", "testing", time);
        var noTls = state.EvaluateTls("mail.example.com", startTlsOffered: false, null, null, default);
        recorder.Record(state, noTls, new TlsRptSession("::ffff:192.0.2.1", "198.51.100.7", null, "CN=evil\r\nsubject text"));
        recorder.Record(state, noTls, new TlsRptSession(null, null, null, "https://sender.example/tlsrpt/info?id=1"));

        var report = recorder.BuildReport("example.com", new DateOnly(2026, 11, 27), "o", "tlsrpt@sender.example")!;

        Validate(report.ToJson());
        var details = report.Policies.Single().FailureDetails;
        var text = details.Single(d => d.SendingMtaIp is not null);
        text.AdditionalInformation.Should().BeNull();
        text.FailureReasonCode.Should().Be("CN=evil  subject text", "free text, control characters blanked");
        text.SendingMtaIp.Should().Be("192.0.2.1", "RPT-13 an IPv4-mapped address is written as a dotted quad");
        details.Single(d => d.SendingMtaIp is null).AdditionalInformation.Should().Be("https://sender.example/tlsrpt/info?id=1");
    }

    [Fact]
    public void Envelope_GzipAndFileName()
    {
        var report = TlsRptReport.Parse(RfcExample);
        var envelope = TlsRptEnvelope.Create(report, "company-y.example");
        envelope.Gzip.Take(2).Should().Equal([(byte)0x1f, (byte)0x8b], "RPT-16 gzip magic");
        envelope.FileName.Should().Be("company-x.example!company-y.example!1459468800!1459555199!5065427c23d347cab6e0946ea0e8c4be.json.gz", "RPT-15");
        envelope.Submitter.Should().Be("company-x.example");
    }

    private static void Validate(string json)
    {
        using var document = JsonDocument.Parse(json);
        var result = ReportSchema.Evaluate(document.RootElement, new EvaluationOptions { OutputFormat = OutputFormat.List, RequireFormatValidation = true });
        result.IsValid.Should().BeTrue(string.Join("; ", (result.Details ?? []).Where(d => d.Errors is { Count: > 0 })
            .SelectMany(d => d.Errors!.Select(e => $"{d.InstanceLocation}: {e.Value}"))));
    }

    private static MtaStsPolicyState State(string domain, string mode, TimeProvider time)
    {
        var text = mode == "none" ? "version: STSv1\nmode: none\nmax_age: 86400\n" : $"version: STSv1\nmode: {mode}\nmx: mail.{domain}\nmax_age: 86400\n";
        MtaStsPolicy.TryParse(text, out var policy, out _).Should().BeTrue();
        return MtaStsPolicyState.WithPolicy(domain, policy!, "1", time.GetUtcNow(), new EvaluationSettings(time, null, false), null, false);
    }
}
