using System.Text.Json;
using MtaSts.Dane;

namespace MtaSts.Tool.Check;

/// <summary>
/// The DANE part of <c>mta-sts check --dane</c>: one line under the MX header, one line under each MX, and in JSON
/// <c>"dane":{"resolver","resolver_validates","mx_secure"}</c> plus, per MX, <c>"mechanism"</c> and
/// <c>"dane":{"status","tlsa_name","records","usable","detail"}</c>.
/// </summary>
internal static class DaneOutput
{
    // Text shows a digest (SHA-256 is 64 hex digits) whole and cuts longer data (matching type 0); JSON has it all.
    private const int TextHexDigits = 64;

    /// <summary><c>secure</c>, <c>insecure</c>, <c>bogus</c>, <c>indeterminate</c>, or <c>not-applicable</c> when DANE was not looked up.</summary>
    public static string Status(MxDane dane) =>
        dane.DoesNotApplyBecause is not null ? "not-applicable" : dane.State.Status.ToString().ToLowerInvariant();

    /// <summary><c>dane</c> or <c>mta-sts</c>: whose rules decided the MX (RFC 8461 §2).</summary>
    public static string Mechanism(MtaStsDecision decision) => decision.Mechanism == MtaStsMechanism.Dane ? "dane" : "mta-sts";

    /// <summary>The resolver and the MX RRset's security, under the MX header.</summary>
    public static string Summary(DaneReport report, string domain)
    {
        var resolver = report.ResolverValidates switch
        {
            true => $"the resolver {report.Resolver} validates DNSSEC (AD on the signed root)",
            false => $"the resolver {report.Resolver} does NOT validate DNSSEC (no AD on the signed root): every state reads insecure",
            null => $"the resolver {report.Resolver} did not say whether it validates DNSSEC",
        };
        var mx = report.MxSecure switch
        {
            true => $"the MX RRset of {domain} is DNSSEC-secure (AD)",
            false => $"the MX RRset of {domain} is not DNSSEC-secure (no AD): DANE does not apply (RFC 7672 §2.2.1)",
            null => $"the MX lookup of {domain} failed",
        };
        return $"     DANE: {resolver}; {mx}";
    }

    /// <summary>The host's DANE state and which mechanism decides it, e.g. <c>dane: secure, 3 1 1 ab…; decided by DANE …</c>.</summary>
    public static string Line(MxDane dane, MtaStsDecision decision)
    {
        var byDane = decision.Mechanism == MtaStsMechanism.Dane;
        var decided = !byDane ? "decided by MTA-STS"
            : dane.State.LookupFailed ? "decided by DANE: this MX is not used, MTA-STS cannot rescue it (DANE-5)"
            : "decided by DANE: STARTTLS and a matching TLSA record are required, the policy's mx patterns are not consulted (DANE-2, DANE-4)";
        return $"dane: {State(dane)}; {decided}";
    }

    private static string State(MxDane dane)
    {
        var state = dane.State;
        if (dane.DoesNotApplyBecause is not null)
        {
            return $"does not apply ({dane.DoesNotApplyBecause})";
        }

        return state.Status switch
        {
            DnssecStatus.Secure when state.HasUsableRecords => $"secure, {Records(state)}",
            DnssecStatus.Secure when state.OnlyUnusableRecords =>
                $"secure, only unusable TLSA records ({Records(state)}): STARTTLS is mandatory, DANE authenticates nothing (RFC 7672 §2.2)",
            DnssecStatus.Secure => $"secure, no TLSA records at {state.TlsaName}: DANE does not apply",
            DnssecStatus.Insecure => $"insecure ({state.Detail ?? $"{state.TlsaName} is not DNSSEC-validated"})",
            _ => $"{Status(dane)} ({state.Detail})",
        };
    }

    private static string Records(DaneState state) => string.Join(", ", state.Records.Select(r =>
    {
        var text = r.ToString();
        var prefix = text.LastIndexOf(' ') + 1;
        text = text.Length - prefix > TextHexDigits ? $"{text[..(prefix + TextHexDigits)]}…" : text;
        return r.IsUsable || !state.HasUsableRecords ? text : $"{text} (unusable)";
    })) + $" at {state.TlsaName}";

    /// <summary>The top-level <c>"dane"</c> object.</summary>
    public static void WriteReport(Utf8JsonWriter json, DaneReport report)
    {
        json.WriteStartObject("dane");
        json.WriteString("resolver", report.Resolver);
        WriteNullable(json, "resolver_validates", report.ResolverValidates);
        WriteNullable(json, "mx_secure", report.MxSecure);
        json.WriteEndObject();
    }

    /// <summary>The per-MX <c>"mechanism"</c> and <c>"dane"</c> fields.</summary>
    public static void WriteHost(Utf8JsonWriter json, MxDane dane, MtaStsDecision decision)
    {
        json.WriteString("mechanism", Mechanism(decision));
        json.WriteStartObject("dane");
        json.WriteString("status", Status(dane));
        json.WriteString("tlsa_name", dane.State.TlsaName);
        json.WriteStartArray("records");
        foreach (var record in dane.State.Records)
        {
            json.WriteStringValue(record.ToString());
        }

        json.WriteEndArray();
        json.WriteBoolean("usable", dane.State.HasUsableRecords);
        if (dane.State.Detail is null)
        {
            json.WriteNull("detail");
        }
        else
        {
            json.WriteString("detail", dane.State.Detail);
        }

        json.WriteEndObject();
    }

    private static void WriteNullable(Utf8JsonWriter json, string name, bool? value)
    {
        if (value is null)
        {
            json.WriteNull(name);
        }
        else
        {
            json.WriteBoolean(name, value.Value);
        }
    }
}
