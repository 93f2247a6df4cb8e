using System.Net.Security;
using MailKit.Net.Smtp;
using MtaSts.MailKit.Internal;

namespace MtaSts.MailKit;

/// <summary>
/// An <see cref="SmtpClient"/> whose TLS handshake never goes to the network to validate the MX certificate: the chain
/// that <see cref="SslStream"/> builds before the certificate callback downloads no intermediates from the
/// certificate's AIA URLs and fetches no CRL or OCSP response, and it requires the serverAuth key usage. Use it with
/// <see cref="MtaStsSmtpClientExtensions.ConnectWithMtaStsAsync(SmtpClient, MtaStsPolicyState, string, int, CancellationToken)"/>:
/// with a plain <see cref="SmtpClient"/> the platform may still download missing intermediates from URLs the MX chose,
/// which MailKit offers no other way to turn off.
/// </summary>
public class MtaStsSmtpClient : SmtpClient
{
    /// <summary>
    /// Whether the handshake checks the MX certificate for revocation over the network (CRL, OCSP; RFC 8461 §4.2 makes
    /// it a MAY, CERT-11). Each fetch is bounded by <see cref="global::MailKit.MailService.Timeout"/>, at most 15 seconds.
    /// MailKit's own <see cref="global::MailKit.MailService.CheckCertificateRevocation"/> is not used by this client.
    /// </summary>
    /// <value><see langword="false"/>: no revocation check, so no fetch the MX can steer.</value>
    public bool CheckMxCertificateRevocation { get; set; }

    /// <summary>The handshake options of MailKit, with the no-download chain policy described on the class.</summary>
    /// <param name="host">The MX host name (the SNI).</param>
    /// <param name="remoteCertificateValidationCallback">MailKit's certificate callback.</param>
    /// <returns>The options.</returns>
    protected override SslClientAuthenticationOptions GetSslClientAuthenticationOptions(string host, RemoteCertificateValidationCallback remoteCertificateValidationCallback)
    {
        var options = base.GetSslClientAuthenticationOptions(host, remoteCertificateValidationCallback);
        options.CertificateChainPolicy = MxChainPolicy.Create(CheckMxCertificateRevocation, TimeSpan.FromMilliseconds(Timeout));
        options.CertificateRevocationCheckMode = options.CertificateChainPolicy.RevocationMode;
        return options;
    }
}
