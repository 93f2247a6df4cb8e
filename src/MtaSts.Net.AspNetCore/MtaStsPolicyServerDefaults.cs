namespace MtaSts.AspNetCore;

/// <summary>The policy server's defaults.</summary>
public static class MtaStsPolicyServerDefaults
{
    /// <summary>The configuration section read by <c>AddMtaStsPolicyServer</c>.</summary>
    public const string SectionName = "MtaStsPolicies";

    /// <summary>The <c>max_age</c> of a configured policy that names none: one week, in seconds.</summary>
    public const long MaxAgeSeconds = 604800;

    /// <summary>The <c>Cache-Control</c> of a served policy: proxies may keep it a few minutes (senders ignore it, FETCH-7).</summary>
    public const string CacheControl = "public, max-age=300";

    /// <summary>The path every policy is served at (RFC 8461 §3.3).</summary>
    public const string WellKnownPath = "/.well-known/mta-sts.txt";
}
