namespace MtaSts;

/// <summary>A failed check: its kind, a human-readable detail and, where useful, a machine-readable reason code.</summary>
/// <param name="Kind">The kind of failure.</param>
/// <param name="Detail">A human-readable explanation, for logs and the text part of TLS-RPT <c>failure-reason-code</c>.</param>
/// <param name="ReasonCode">An optional RFC 8460 <c>failure-reason-code</c>.</param>
public sealed record MtaStsFailure(MtaStsFailureKind Kind, string Detail, string? ReasonCode = null)
{
    /// <summary>The RFC 8460 result-type string for <see cref="Kind"/>, e.g. <c>starttls-not-supported</c>.</summary>
    public string ResultType => ToResultType(Kind);

    /// <summary>Maps a failure kind to its RFC 8460 result-type string (RPT-2, RPT-3, RPT-4).</summary>
    /// <param name="kind">The failure kind.</param>
    /// <returns>The exact lower-case result-type string.</returns>
    public static string ToResultType(MtaStsFailureKind kind) => kind switch
    {
        MtaStsFailureKind.PolicyFetchError => "sts-policy-fetch-error",
        MtaStsFailureKind.PolicyInvalid => "sts-policy-invalid",
        MtaStsFailureKind.PolicyWebPkiInvalid => "sts-webpki-invalid",
        MtaStsFailureKind.StartTlsNotSupported => "starttls-not-supported",
        MtaStsFailureKind.CertificateHostMismatch => "certificate-host-mismatch",
        MtaStsFailureKind.CertificateExpired => "certificate-expired",
        MtaStsFailureKind.CertificateNotTrusted => "certificate-not-trusted",
        MtaStsFailureKind.MxNotInPolicy => "certificate-host-mismatch",
        MtaStsFailureKind.TlsaInvalid => "tlsa-invalid",
        MtaStsFailureKind.DnssecInvalid => "dnssec-invalid",
        MtaStsFailureKind.DaneRequired => "dane-required",
        _ => "validation-failure",
    };

    /// <inheritdoc/>
    public override string ToString() => ReasonCode is null ? $"{ResultType}: {Detail}" : $"{ResultType} ({ReasonCode}): {Detail}";
}
