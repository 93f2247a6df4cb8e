using System.Globalization;
using System.Net;
using Microsoft.Extensions.Configuration;

namespace MtaSts.DependencyInjection;

/// <summary>
/// Reads <see cref="MtaStsOptions"/> from a configuration section by hand: AOT-safe, and a value that cannot be read
/// becomes a start-up validation error naming the key and the value instead of an exception or a silent default.
/// </summary>
internal static class MtaStsConfigurationBinder
{
    // Every key the section may hold: anything else is a typo (a misspelt DnsFailureBehavior would silently keep the
    // default) and is reported at start.
    private static readonly string[] Known =
    [
        nameof(MtaStsOptions.NameServers), nameof(MtaStsOptions.DnsTimeout), nameof(MtaStsOptions.DnsRetries), nameof(MtaStsOptions.DnsFailureBehavior),
        nameof(MtaStsOptions.FetchRetries), nameof(MtaStsOptions.FetchTimeout), nameof(MtaStsOptions.MaxPolicyBytes), nameof(MtaStsOptions.UserAgent),
        nameof(MtaStsOptions.ParsingMode), nameof(MtaStsOptions.CheckCertificateRevocation), nameof(MtaStsOptions.RequireValidCertificateWithoutPolicy),
        nameof(MtaStsOptions.TxtRecheckMinimum), nameof(MtaStsOptions.TxtRecheckMaximum), nameof(MtaStsOptions.MaxCacheEntries),
        nameof(MtaStsOptions.StoreTimeout), nameof(MtaStsOptions.StoreBreakDuration),
    ];

    public static void Bind(IConfiguration section, MtaStsOptions options)
    {
        foreach (var child in section.GetChildren())
        {
            if (!Known.Contains(child.Key, StringComparer.OrdinalIgnoreCase))
            {
                options.BindingProblems.Add($"'{child.Key}' is not an MTA-STS option (known: {string.Join(", ", Known)}).");
            }
        }

        TimeSpanValue(section, nameof(MtaStsOptions.DnsTimeout), v => options.DnsTimeout = v, options);
        IntValue(section, nameof(MtaStsOptions.DnsRetries), v => options.DnsRetries = v, options);
        TimeSpanValue(section, nameof(MtaStsOptions.FetchTimeout), v => options.FetchTimeout = v, options);
        IntValue(section, nameof(MtaStsOptions.FetchRetries), v => options.FetchRetries = v, options);
        IntValue(section, nameof(MtaStsOptions.MaxPolicyBytes), v => options.MaxPolicyBytes = v, options);
        IntValue(section, nameof(MtaStsOptions.MaxCacheEntries), v => options.MaxCacheEntries = v, options);
        TimeSpanValue(section, nameof(MtaStsOptions.TxtRecheckMinimum), v => options.TxtRecheckMinimum = v, options);
        TimeSpanValue(section, nameof(MtaStsOptions.TxtRecheckMaximum), v => options.TxtRecheckMaximum = v, options);
        TimeSpanValue(section, nameof(MtaStsOptions.StoreTimeout), v => options.StoreTimeout = v, options);
        TimeSpanValue(section, nameof(MtaStsOptions.StoreBreakDuration), v => options.StoreBreakDuration = v, options);
        EnumValue<MtaStsParsingMode>(section, nameof(MtaStsOptions.ParsingMode), v => options.ParsingMode = v, options);
        EnumValue<MtaStsDnsFailureBehavior>(section, nameof(MtaStsOptions.DnsFailureBehavior), v => options.DnsFailureBehavior = v, options);
        if (section[nameof(MtaStsOptions.UserAgent)] is { } userAgent)
        {
            options.UserAgent = userAgent;
        }

        BoolValue(section, nameof(MtaStsOptions.RequireValidCertificateWithoutPolicy), v => options.RequireValidCertificateWithoutPolicy = v, options);
        BoolValue(section, nameof(MtaStsOptions.CheckCertificateRevocation), v => options.CheckCertificateRevocation = v, options);
        foreach (var child in section.GetSection(nameof(MtaStsOptions.NameServers)).GetChildren())
        {
            if (child.Value is { } text && IPEndPoint.TryParse(text, out var endPoint))
            {
                options.NameServers.Add(endPoint.Port == 0 ? new IPEndPoint(endPoint.Address, 53) : endPoint);
            }
            else
            {
                options.BindingProblems.Add($"{nameof(MtaStsOptions.NameServers)}:{child.Key} '{child.Value}' is not an address[:port].");
            }
        }
    }

    private static void BoolValue(IConfiguration section, string key, Action<bool> set, MtaStsOptions options)
    {
        if (section[key] is not { } text)
        {
            return;
        }

        if (bool.TryParse(text, out var value))
        {
            set(value);
        }
        else
        {
            options.BindingProblems.Add($"{key} '{text}' is not true or false.");
        }
    }

    private static void TimeSpanValue(IConfiguration section, string key, Action<TimeSpan> set, MtaStsOptions options)
    {
        if (section[key] is not { } text)
        {
            return;
        }

        if (TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out var value))
        {
            set(value);
        }
        else
        {
            options.BindingProblems.Add($"{key} '{text}' is not a time span (for example 00:01:00).");
        }
    }

    private static void IntValue(IConfiguration section, string key, Action<int> set, MtaStsOptions options)
    {
        if (section[key] is not { } text)
        {
            return;
        }

        if (int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value))
        {
            set(value);
        }
        else
        {
            options.BindingProblems.Add($"{key} '{text}' is not a whole number.");
        }
    }

    private static void EnumValue<T>(IConfiguration section, string key, Action<T> set, MtaStsOptions options)
        where T : struct, Enum
    {
        if (section[key] is not { } text)
        {
            return;
        }

        if (Enum.TryParse<T>(text, ignoreCase: true, out var value) && Enum.IsDefined(value))
        {
            set(value);
        }
        else
        {
            options.BindingProblems.Add($"{key} '{text}' is not one of {string.Join(", ", Enum.GetNames<T>())}.");
        }
    }
}
