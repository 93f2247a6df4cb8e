namespace MtaSts.Reporting;

/// <summary>The rules <c>AddTlsRpt</c> checks at start.</summary>
internal static class TlsRptOptionsValidation
{
    public const string Message = "MtaSts TLS-RPT: OrganizationName and ContactInfo (a plain address) are required; delays must not be negative; "
        + "InstanceId is 1-64 letters, digits, '-', '_' or '.'; HttpTimeout, DomainTimeBudget, MaxReportAge and FirstRetryDelay must be positive; "
        + "MaxReportUrisPerDomain, MaxConcurrentDomains and MaxDomainsPerDay must be at least 1.";

    public static bool IsValid(TlsRptOptions o) =>
        !string.IsNullOrWhiteSpace(o.OrganizationName) && TlsRptUri.TryGetMailbox("mailto:" + o.ContactInfo, out _, out _)
        && o.MaxRandomDelay >= TimeSpan.Zero && o.RetryFor >= TimeSpan.Zero && o.FirstRetryDelay > TimeSpan.Zero
        && (o.InstanceId is null || TlsRptInstanceId.IsValid(o.InstanceId))
        && o.HttpTimeout > TimeSpan.Zero && o.DomainTimeBudget > TimeSpan.Zero && o.MaxReportAge > TimeSpan.Zero
        && o.MaxReportUrisPerDomain >= 1 && o.MaxConcurrentDomains >= 1 && o.MaxDomainsPerDay >= 1;
}
