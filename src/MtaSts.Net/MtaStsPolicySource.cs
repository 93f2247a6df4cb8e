namespace MtaSts;

/// <summary>Where the policy of a <see cref="MtaStsPolicyState"/> came from.</summary>
public enum MtaStsPolicySource
{
    /// <summary>No policy applies.</summary>
    None = 0,

    /// <summary>Fetched over HTTPS during this call.</summary>
    Fetched = 1,

    /// <summary>Served from the cache (the TXT id was unchanged, or discovery failed and the cached policy still applies).</summary>
    Cache = 2,
}
