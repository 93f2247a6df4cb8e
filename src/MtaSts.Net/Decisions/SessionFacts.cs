namespace MtaSts.Decisions;

/// <summary>What a sender saw of one MX candidate or SMTP session; the decision table turns it into a verdict.</summary>
/// <param name="MxHost">The MX host name (the reference identity, CERT-4).</param>
/// <param name="Tls">How far the TLS upgrade got.</param>
/// <param name="CertificateFailure">The certificate check's result, when the certificate was checked and failed.</param>
/// <param name="TlsError">How STARTTLS or the handshake failed, in words, when it did.</param>
/// <param name="DowngradeEvidence">Why a missing STARTTLS looks stripped on path, when it does.</param>
/// <param name="Dane">The MX host's DANE state, when DANE is enabled.</param>
/// <param name="DaneFailure">The TLSA match result, when the certificate was matched against usable TLSA records and failed.</param>
internal readonly record struct SessionFacts(
    string MxHost,
    TlsStage Tls,
    MtaStsFailure? CertificateFailure = null,
    string? TlsError = null,
    string? DowngradeEvidence = null,
    Dane.DaneState? Dane = null,
    MtaStsFailure? DaneFailure = null);
