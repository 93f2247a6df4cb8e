using System.Text.Json;

namespace MtaSts.Reporting;

/// <summary>One <c>failure-details[]</c> entry (RFC 8460 §4.4).</summary>
/// <param name="ResultType">The RFC 8460 result type, e.g. <c>starttls-not-supported</c>.</param>
/// <param name="SendingMtaIp">Our address, when known.</param>
/// <param name="ReceivingMxHostname">The MX host.</param>
/// <param name="ReceivingMxHelo">The name the MX gave in its greeting, when known.</param>
/// <param name="ReceivingIp">The MX address, when known.</param>
/// <param name="FailedSessionCount">How many sessions failed this way.</param>
/// <param name="AdditionalInformation">A URI with more detail (RFC 8460 §4.4 types it as a URI; free text never goes here).</param>
/// <param name="FailureReasonCode">A reason: a code such as <c>mx-not-in-policy</c>, then free text (certificate details,
/// the STARTTLS-stripping evidence).</param>
internal sealed record TlsRptFailureDetail(
    string ResultType,
    string? SendingMtaIp,
    string? ReceivingMxHostname,
    string? ReceivingMxHelo,
    string? ReceivingIp,
    long FailedSessionCount,
    string? AdditionalInformation,
    string? FailureReasonCode)
{
    internal void Write(Utf8JsonWriter json)
    {
        json.WriteStartObject();
        json.WriteString("result-type", ResultType);
        Optional(json, "sending-mta-ip", SendingMtaIp);
        Optional(json, "receiving-mx-hostname", ReceivingMxHostname);
        Optional(json, "receiving-mx-helo", ReceivingMxHelo);
        Optional(json, "receiving-ip", ReceivingIp);
        json.WriteNumber("failed-session-count", FailedSessionCount);
        Optional(json, "additional-information", AdditionalInformation); // RPT-12: this key, never "additional-info-uri"
        Optional(json, "failure-reason-code", FailureReasonCode);
        json.WriteEndObject();
    }

    internal static TlsRptFailureDetail Read(JsonElement element) => new(
        TlsRptReport.RequiredString(element, "result-type"),
        TlsRptReport.OptionalString(element, "sending-mta-ip"),
        TlsRptReport.OptionalString(element, "receiving-mx-hostname"),
        TlsRptReport.OptionalString(element, "receiving-mx-helo"),
        TlsRptReport.OptionalString(element, "receiving-ip"),
        TlsRptReport.Required(element, "failed-session-count").GetInt64(),
        TlsRptReport.OptionalString(element, "additional-information"),
        TlsRptReport.OptionalString(element, "failure-reason-code"));

    private static void Optional(Utf8JsonWriter json, string name, string? value)
    {
        if (value is not null)
        {
            json.WriteString(name, value);
        }
    }
}
