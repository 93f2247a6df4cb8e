namespace MtaSts.Reporting;

/// <summary>Options of the TLS-RPT reporter.</summary>
public sealed class TlsRptOptions
{
    /// <summary>The <c>organization-name</c> of the reports.</summary>
    /// <value>Empty: must be set.</value>
    public string OrganizationName { get; set; } = string.Empty;

    /// <summary>The <c>contact-info</c> address; its domain is the submitter.</summary>
    /// <value>Empty: must be set.</value>
    public string ContactInfo { get; set; } = string.Empty;

    /// <summary>
    /// Without dependency injection: a directory where counters and the list of sent reports are kept, so a restart loses
    /// nothing and sends nothing twice. With <c>AddTlsRpt</c> they go to the registered policy store instead.
    /// </summary>
    /// <value><see langword="null"/>: memory only.</value>
    public string? StateDirectory { get; set; }

    /// <summary>The longest random delay after midnight UTC before a day's reports go out (RPT-14).</summary>
    /// <value>4 hours.</value>
    public TimeSpan MaxRandomDelay { get; set; } = TimeSpan.FromHours(4);

    /// <summary>How long failed deliveries are retried, with exponential back-off (RPT-20).</summary>
    /// <value>24 hours.</value>
    public TimeSpan RetryFor { get; set; } = TimeSpan.FromHours(24);

    /// <summary>The first retry delay; it doubles after each failure.</summary>
    /// <value>1 minute.</value>
    public TimeSpan FirstRetryDelay { get; set; } = TimeSpan.FromMinutes(1);
}
