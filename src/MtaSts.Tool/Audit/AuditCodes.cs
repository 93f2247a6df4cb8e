namespace MtaSts.Tool.Audit;

/// <summary>The stable finding codes of <c>mta-sts audit</c>. Renaming one is a breaking change for scripts.</summary>
internal static class AuditCodes
{
    public const string TxtMissing = "txt-missing";
    public const string TxtMultiple = "txt-multiple";
    public const string TxtInvalid = "txt-invalid";
    public const string TxtLookupFailed = "txt-lookup-failed";
    public const string PolicyHostUnresolvable = "policy-host-unresolvable";
    public const string PolicyHostCertificateInvalid = "policy-host-certificate-invalid";
    public const string PolicyFetchFailed = "policy-fetch-failed";
    public const string PolicyInvalid = "policy-invalid";
    public const string PolicyModeNone = "policy-mode-none";
    public const string PolicyModeTesting = "policy-mode-testing";
    public const string MaxAgeShort = "max-age-short";
    public const string MxLookupFailed = "mx-lookup-failed";
    public const string MxNull = "mx-null";
    public const string MxNotCovered = "mx-not-covered";
    public const string MxPatternUnused = "mx-pattern-unused";
    public const string MxUnreachable = "mx-unreachable";
    public const string MxStartTlsMissing = "mx-starttls-missing";
    public const string MxStartTlsFailed = "mx-starttls-failed";
    public const string MxCertificateUntrusted = "mx-certificate-untrusted";
    public const string MxCertificateExpired = "mx-certificate-expired";
    public const string MxCertificateExpiring = "mx-certificate-expiring";
    public const string MxCertificateNameMismatch = "mx-certificate-name-mismatch";
    public const string TlsRptMissing = "tlsrpt-missing";
    public const string TlsRptInvalid = "tlsrpt-invalid";
}
