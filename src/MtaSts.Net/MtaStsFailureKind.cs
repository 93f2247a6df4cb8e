namespace MtaSts;

/// <summary>
/// Why a check failed. Each kind maps to one RFC 8460 result type (see <see cref="MtaStsFailure.ResultType"/>).
/// </summary>
/// <seealso href="https://www.rfc-editor.org/rfc/rfc8460#section-4.3">RFC 8460 §4.3</seealso>
public enum MtaStsFailureKind
{
    /// <summary><c>sts-policy-fetch-error</c>: the policy could not be retrieved (HTTP, TLS transport, timeout, size, temporary DNS error).</summary>
    PolicyFetchError = 0,

    /// <summary><c>sts-policy-invalid</c>: the policy body or its media type failed validation.</summary>
    PolicyInvalid = 1,

    /// <summary><c>sts-webpki-invalid</c>: the policy host's certificate failed PKIX validation.</summary>
    PolicyWebPkiInvalid = 2,

    /// <summary><c>starttls-not-supported</c>: the MX did not offer STARTTLS.</summary>
    StartTlsNotSupported = 3,

    /// <summary><c>certificate-host-mismatch</c>: the MX certificate has no SAN dNSName for the MX host.</summary>
    CertificateHostMismatch = 4,

    /// <summary><c>certificate-expired</c>: the MX certificate (or a certificate of its chain) is outside its validity period.</summary>
    CertificateExpired = 5,

    /// <summary><c>certificate-not-trusted</c>: the MX certificate does not chain to a trusted root.</summary>
    CertificateNotTrusted = 6,

    /// <summary><c>validation-failure</c>: any other negotiation failure.</summary>
    ValidationFailure = 7,

    /// <summary>
    /// The MX host matches no <c>mx</c> pattern of the policy. RFC 8460 has no result type for this (RPT-4);
    /// it is reported as <c>certificate-host-mismatch</c> with failure-reason-code <c>mx-not-in-policy</c>.
    /// </summary>
    MxNotInPolicy = 8,

    /// <summary>
    /// The recipient domain cannot have a policy: an address literal (<c>[192.0.2.1]</c>, RFC 8461 §3.4), or a string
    /// that is not a DNS name (an empty label, a label over 63 octets, a name over 253). No DNS query is made; not a
    /// TLS-RPT event. Reported, if ever, as <c>validation-failure</c> with failure-reason-code <c>no-policy-domain</c>.
    /// </summary>
    NoPolicyDomain = 9,

    /// <summary><c>tlsa-invalid</c>: the MX has secure, usable TLSA records and none matches its certificate (RFC 8460 §4.3.2.1, RFC 7672 §3).</summary>
    TlsaInvalid = 10,

    /// <summary><c>dnssec-invalid</c>: the validating resolver returned no valid answer for the MX host's TLSA records (bogus or no answer, RFC 7672 §2.2).</summary>
    DnssecInvalid = 11,

    /// <summary>
    /// <c>dane-required</c>: the sender requires DANE for the recipient domain and the MX host has no DNSSEC-validated,
    /// usable TLSA records (RFC 8460 §4.3.2.1; Postfix's <c>dane-only</c>).
    /// </summary>
    DaneRequired = 12,
}
