using System.Net.Security;
using System.Security.Authentication;

namespace MtaSts.MailKit;

/// <summary>What happened on one SMTP connection, for logs and TLS-RPT.</summary>
/// <param name="MxHost">The MX host connected to.</param>
/// <param name="Decision">The final MTA-STS decision for the session.</param>
/// <param name="StartTlsOffered">Whether the server offered STARTTLS in its EHLO reply.</param>
/// <param name="IsEncrypted">Whether the session runs over TLS.</param>
/// <param name="TlsProtocol">The negotiated TLS version, when encrypted.</param>
/// <param name="CipherSuite">The negotiated cipher suite, when encrypted.</param>
/// <param name="CertificateSubject">The subject of the server certificate, when one was presented.</param>
/// <param name="DowngradeEvidence">Why STARTTLS looks stripped on path, when it was missing (an unknown keyword where STARTTLS would be, or one a few bytes from it).</param>
public sealed record MtaStsSessionOutcome(
    string MxHost,
    MtaStsDecision Decision,
    bool StartTlsOffered,
    bool IsEncrypted,
    SslProtocols? TlsProtocol,
    TlsCipherSuite? CipherSuite,
    string? CertificateSubject,
    string? DowngradeEvidence)
{
    /// <summary>The name in the MX's EHLO reply (TLS-RPT's <c>receiving-mx-helo</c>), when the session got that far.</summary>
    public string? ReceivingMxHelo { get; init; }
}
