using System.Globalization;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Primitives;
using MtaSts.Publishing;

namespace MtaSts.AspNetCore;

/// <summary>
/// Policies from a configuration section, one child per policy domain:
/// <c>"MtaStsPolicies": { "example.com": { "Mode": "enforce", "Mx": [ "mail.example.com" ], "MaxAge": 604800 } }</c>.
/// Read by hand (no reflection binding, so trimming and AOT are safe) and validated with the strict parser: an invalid
/// entry stops the host at start-up with its domain and the reason. A reload with an invalid entry keeps the last good set.
/// </summary>
internal sealed class ConfigurationPolicyProvider : IMtaStsPolicyProvider, IDisposable
{
    private readonly IConfiguration _section;
    private readonly IDisposable _reload;
    private volatile Dictionary<string, MtaStsPolicyDocument> _policies;

    public ConfigurationPolicyProvider(IConfiguration section)
    {
        _section = section;
        _policies = Load(section, out var error) ?? throw new InvalidOperationException(error);
        _reload = ChangeToken.OnChange(section.GetReloadToken, () => _policies = Load(_section, out _) ?? _policies);
    }

    public ValueTask<MtaStsPolicyDocument?> GetPolicyAsync(string policyDomain, CancellationToken cancellationToken = default) =>
        ValueTask.FromResult(_policies.GetValueOrDefault(policyDomain));

    public void Dispose() => _reload.Dispose();

    internal static Dictionary<string, MtaStsPolicyDocument>? Load(IConfiguration section, out string? error)
    {
        var policies = new Dictionary<string, MtaStsPolicyDocument>(StringComparer.Ordinal);
        foreach (var entry in section.GetChildren())
        {
            var domain = PolicyHostName.NormalizeDomain(entry.Key);
            if (domain is null)
            {
                error = $"MTA-STS policy server: '{entry.Key}' is not a domain name";
                return null;
            }

            if (!TryRead(entry, out var document, out var reason))
            {
                error = $"MTA-STS policy server: the policy of {entry.Key} is invalid: {reason}";
                return null;
            }

            policies[domain] = document!;
        }

        error = null;
        return policies;
    }

    private static bool TryRead(IConfigurationSection entry, out MtaStsPolicyDocument? document, out string? error)
    {
        document = null;
        MtaStsMode mode;
        switch (entry["Mode"]?.Trim().ToLowerInvariant())
        {
            case "enforce": mode = MtaStsMode.Enforce; break;
            case "testing": mode = MtaStsMode.Testing; break;
            case "none": mode = MtaStsMode.None; break;
            case var other:
                error = $"Mode must be enforce, testing or none, not '{other}' (POL-3)";
                return false;
        }

        var mxSection = entry.GetSection("Mx");
        List<string> mx = mxSection.Value is { } single ? [single] : [.. mxSection.GetChildren().Select(c => c.Value ?? string.Empty)];
        var maxAge = MtaStsPolicyServerDefaults.MaxAgeSeconds;
        if (entry["MaxAge"] is { } text && !long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out maxAge))
        {
            error = $"MaxAge '{text}' is not a number of seconds (POL-11)";
            return false;
        }

        return MtaStsPolicyDocument.TryCreate(mode, mx, maxAge, out document, out error);
    }
}
