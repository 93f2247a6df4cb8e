using System.Globalization;
using System.Text;
using System.Text.Json;

namespace MtaSts.Reporting;

/// <summary>An RFC 8460 aggregate report (§4.3, §4.4), written and read as I-JSON with the exact field names.</summary>
/// <param name="OrganizationName">The reporting organisation.</param>
/// <param name="StartDateTime">The start of the covered UTC day.</param>
/// <param name="EndDateTime">The end of the covered UTC day (<c>23:59:59Z</c>, RPT-14).</param>
/// <param name="ContactInfo">An address to contact the reporter.</param>
/// <param name="ReportId">A unique id of the report.</param>
/// <param name="Policies">One entry per policy applied to the domain that day.</param>
internal sealed record TlsRptReport(
    string OrganizationName,
    DateTimeOffset StartDateTime,
    DateTimeOffset EndDateTime,
    string ContactInfo,
    string ReportId,
    IReadOnlyList<TlsRptPolicyResult> Policies)
{
    /// <summary>Writes the report as JSON. <c>mx-host</c> is written as an array of strings (RFC 8460 §4.4 prose; RPT-11).</summary>
    /// <returns>The JSON text.</returns>
    public string ToJson()
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("organization-name", OrganizationName);
            json.WriteStartObject("date-range");
            json.WriteString("start-datetime", Timestamp(StartDateTime));
            json.WriteString("end-datetime", Timestamp(EndDateTime));
            json.WriteEndObject();
            json.WriteString("contact-info", ContactInfo);
            json.WriteString("report-id", ReportId);
            json.WriteStartArray("policies");
            foreach (var result in Policies)
            {
                result.Write(json);
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    /// <summary>Reads a report; <c>mx-host</c> may be a string, an array, or absent (RPT-11).</summary>
    /// <param name="json">The report JSON.</param>
    /// <returns>The report.</returns>
    /// <exception cref="JsonException">The text is not a valid report.</exception>
    public static TlsRptReport Parse(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        using var document = JsonDocument.Parse(json);
        var root = document.RootElement;
        var range = Required(root, "date-range");
        return new TlsRptReport(
            RequiredString(root, "organization-name"),
            DateTimeOffset.Parse(RequiredString(range, "start-datetime"), CultureInfo.InvariantCulture),
            DateTimeOffset.Parse(RequiredString(range, "end-datetime"), CultureInfo.InvariantCulture),
            RequiredString(root, "contact-info"),
            RequiredString(root, "report-id"),
            [.. Required(root, "policies").EnumerateArray().Select(TlsRptPolicyResult.Read)]);
    }

    internal static string Timestamp(DateTimeOffset value) => value.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    internal static JsonElement Required(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) ? value : throw new JsonException($"'{name}' is missing");

    internal static string RequiredString(JsonElement element, string name) =>
        Required(element, name).GetString() ?? throw new JsonException($"'{name}' is not a string");

    internal static string? OptionalString(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
