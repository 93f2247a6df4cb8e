namespace MtaSts;

/// <summary>Options of the proactive policy refresher (RFC 8461 §3.3, §10.2; CACHE-6, CACHE-7).</summary>
public sealed class MtaStsRefreshOptions
{
    /// <summary>How often the cached policies are looked over.</summary>
    /// <value>1 hour.</value>
    public TimeSpan CheckInterval { get; set; } = TimeSpan.FromHours(1);

    /// <summary>A policy is refreshed once this long after its fetch, or at half its <c>max_age</c> if that comes first.</summary>
    /// <value>1 day (the RFC's suggested rate).</value>
    public TimeSpan RefreshAfter { get; set; } = TimeSpan.FromDays(1);

    /// <summary>Random delay added to each pass, so that a fleet does not refresh in step.</summary>
    /// <value>5 minutes.</value>
    public TimeSpan MaxJitter { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>How many domains are refreshed at once.</summary>
    /// <value>4.</value>
    public int MaxConcurrency { get; set; } = 4;

    /// <summary>
    /// How long a domain whose refresh failed is left alone before the next try; doubled after each further failure,
    /// up to <see cref="MaxFailureBackoff"/>. A successful refresh resets it.
    /// </summary>
    /// <value>1 hour.</value>
    public TimeSpan FailureBackoff { get; set; } = TimeSpan.FromHours(1);

    /// <summary>The longest back-off of a domain whose refreshes keep failing.</summary>
    /// <value>12 hours.</value>
    public TimeSpan MaxFailureBackoff { get; set; } = TimeSpan.FromHours(12);
}
