using System.Net;

namespace MtaSts.DependencyInjection;

/// <summary>
/// Reads <see cref="MtaStsOptions"/> from the <c>MtaSts</c> section by hand (AOT-safe). The section also holds the
/// sub-sections of the other options (<see cref="Sections"/>), read by their own binders.
/// </summary>
internal sealed class MtaStsConfigurationBinder : IOptionsBinder<MtaStsOptions>
{
    /// <summary>The sub-sections of <c>MtaSts</c>, and the call that reads each (named when nothing does).</summary>
    public static readonly IReadOnlyDictionary<string, string> Sections = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
    {
        ["Refresh"] = "AddPolicyRefresher()",
        ["TlsRpt"] = "AddTlsRpt()",
        ["Delivery"] = "AddMailKit()",
        ["HealthChecks"] = "AddMtaStsHealthChecks()",
    };

    public static string Key => string.Empty;

    // Anything else is a typo (a misspelt DnsFailureBehavior would silently keep the default) and is reported at start.
    public static SectionKeys Keys { get; } = new(
        [
            nameof(MtaStsOptions.NameServers), nameof(MtaStsOptions.DnsTimeout), nameof(MtaStsOptions.DnsRetries), nameof(MtaStsOptions.DnsFailureBehavior),
            nameof(MtaStsOptions.FetchRetries), nameof(MtaStsOptions.FetchTimeout), nameof(MtaStsOptions.MaxPolicyBytes), nameof(MtaStsOptions.UserAgent),
            nameof(MtaStsOptions.ParsingMode), nameof(MtaStsOptions.CheckCertificateRevocation), nameof(MtaStsOptions.RequireValidCertificateWithoutPolicy),
            nameof(MtaStsOptions.TxtRecheckMinimum), nameof(MtaStsOptions.TxtRecheckMaximum), nameof(MtaStsOptions.MaxCacheEntries),
            nameof(MtaStsOptions.StoreTimeout), nameof(MtaStsOptions.StoreBreakDuration),
        ],
        [nameof(MtaStsOptions.PolicyHostTrustedRoots), nameof(MtaStsOptions.MxTrustedRoots), nameof(MtaStsOptions.PolicyHostConnectCallback)],
        [.. Sections.Keys]);

    public static void Bind(ConfigurationReader reader, MtaStsOptions options)
    {
        reader.TimeSpan(nameof(MtaStsOptions.DnsTimeout), v => options.DnsTimeout = v);
        reader.Int(nameof(MtaStsOptions.DnsRetries), v => options.DnsRetries = v);
        reader.TimeSpan(nameof(MtaStsOptions.FetchTimeout), v => options.FetchTimeout = v);
        reader.Int(nameof(MtaStsOptions.FetchRetries), v => options.FetchRetries = v);
        reader.Int(nameof(MtaStsOptions.MaxPolicyBytes), v => options.MaxPolicyBytes = v);
        reader.Int(nameof(MtaStsOptions.MaxCacheEntries), v => options.MaxCacheEntries = v);
        reader.TimeSpan(nameof(MtaStsOptions.TxtRecheckMinimum), v => options.TxtRecheckMinimum = v);
        reader.TimeSpan(nameof(MtaStsOptions.TxtRecheckMaximum), v => options.TxtRecheckMaximum = v);
        reader.TimeSpan(nameof(MtaStsOptions.StoreTimeout), v => options.StoreTimeout = v);
        reader.TimeSpan(nameof(MtaStsOptions.StoreBreakDuration), v => options.StoreBreakDuration = v);
        reader.Enum<MtaStsParsingMode>(nameof(MtaStsOptions.ParsingMode), v => options.ParsingMode = v);
        reader.Enum<MtaStsDnsFailureBehavior>(nameof(MtaStsOptions.DnsFailureBehavior), v => options.DnsFailureBehavior = v);
        reader.String(nameof(MtaStsOptions.UserAgent), v => options.UserAgent = v);
        reader.Bool(nameof(MtaStsOptions.RequireValidCertificateWithoutPolicy), v => options.RequireValidCertificateWithoutPolicy = v);
        reader.Bool(nameof(MtaStsOptions.CheckCertificateRevocation), v => options.CheckCertificateRevocation = v);
        reader.Each(nameof(MtaStsOptions.NameServers), text =>
        {
            if (!IPEndPoint.TryParse(text, out var endPoint))
            {
                return false;
            }

            options.NameServers.Add(endPoint.Port == 0 ? new IPEndPoint(endPoint.Address, 53) : endPoint);
            return true;
        }, "an address[:port]");
    }
}
