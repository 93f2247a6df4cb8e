using System.Net.Sockets;
using MailKit.Net.Smtp;
using MailKit.Security;
using MimeKit;
using MimeKit.Cryptography;
using MtaSts.MailKit.Delivery;
using MtaSts.MailKit.Internal;
using MtaSts.Reporting;

namespace MtaSts.MailKit;

/// <summary>
/// Delivers TLS-RPT reports to <c>mailto:</c> URIs (RFC 8460 §5.3): a <c>multipart/report; report-type="tlsrpt"</c>
/// message with the gzip report attached as <c>application/tlsrpt+gzip</c>, the <c>TLS-Report-Domain</c> and
/// <c>TLS-Report-Submitter</c> headers, sent straight to the rua domain's MX. Report mail goes out even when TLS fails
/// and never honours MTA-STS or DANE failures (RPT-18): STARTTLS when offered, any certificate accepted, and the session
/// is not recorded. With a DKIM key in <see cref="TlsRptOptions"/> (<see cref="TlsRptOptions.DkimDomain"/> and the
/// rest) every report is DKIM-signed as RFC 8460 §3 requires (RPT-17): RSA-SHA256, relaxed/relaxed, no <c>l=</c>, over
/// From, To, Subject, Date, Message-ID, MIME-Version, Content-Type, TLS-Report-Domain and TLS-Report-Submitter.
/// A report whose From domain is neither the signing domain nor a child of it is not sent (an unaligned signature).
/// Without a key, signing is left to a relaying MTA.
/// </summary>
internal sealed class TlsRptMailTransport : ITlsRptTransport
{
    private static readonly string[] SignedHeaders =
        ["From", "To", "Subject", "Date", "Message-ID", "MIME-Version", "Content-Type", "TLS-Report-Domain", "TLS-Report-Submitter"];

    private readonly MtaStsDirectSenderOptions _options;
    private readonly MxDeliveryLoop _loop;
    private readonly DkimSigner? _signer;

    /// <summary>Creates the transport.</summary>
    /// <param name="dns">The library's one DNS client (the enforcer's name servers and timeouts).</param>
    /// <param name="options">Port, EHLO name and timeouts, as for direct delivery.</param>
    /// <param name="reportOptions">The reporter's options (the DKIM domain, selector and key); <see langword="null"/> to leave mail unsigned.</param>
    /// <exception cref="ArgumentNullException"><paramref name="options"/> is null.</exception>
    /// <exception cref="ArgumentException">The DKIM settings are incomplete, or the key is not a PEM private key.</exception>
    internal TlsRptMailTransport(DnsClient.ILookupClient dns, MtaStsDirectSenderOptions options, TlsRptOptions? reportOptions = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
        _loop = new MxDeliveryLoop(dns, options, Random.Shared, allowDane: false); // RPT-18: report mail never applies DANE
        _signer = reportOptions is null ? null : DkimSignerFor(reportOptions);
    }

    /// <inheritdoc/>
    public bool CanDeliver(Uri uri) => uri is not null && uri.Scheme == Uri.UriSchemeMailto;

    /// <summary>Builds the report message (RFC 8460 §5.3).</summary>
    /// <param name="to">The rua address.</param>
    /// <param name="envelope">The report.</param>
    /// <returns>The message.</returns>
    public static MimeMessage BuildMessage(MailboxAddress to, TlsRptEnvelope envelope)
    {
        ArgumentNullException.ThrowIfNull(envelope);
        var report = envelope.Report;
        var message = new MimeMessage();
        message.From.Add(MailboxAddress.Parse(report.ContactInfo));
        message.To.Add(to);
        message.Subject = $"Report Domain: {envelope.PolicyDomain} Submitter: {envelope.Submitter} Report-ID: <{report.ReportId}>";
        message.Headers.Add("TLS-Report-Domain", envelope.PolicyDomain);
        message.Headers.Add("TLS-Report-Submitter", envelope.Submitter);
        var body = new MultipartReport("tlsrpt")
        {
            new TextPart("plain")
            {
                Text = $"This is an aggregate TLS report from {envelope.Submitter} for {envelope.PolicyDomain}, " +
                       $"{report.StartDateTime:yyyy-MM-dd HH:mm:ss}Z to {report.EndDateTime:yyyy-MM-dd HH:mm:ss}Z (RFC 8460).",
            },
            new MimePart("application", "tlsrpt+gzip")
            {
                Content = new MimeContent(new MemoryStream(envelope.Gzip)),
                ContentDisposition = new ContentDisposition(ContentDisposition.Attachment),
                ContentTransferEncoding = ContentEncoding.Base64,
                FileName = envelope.FileName,
            },
        };
        message.Body = body;
        return message;
    }

    /// <inheritdoc/>
    public async Task<string?> DeliverAsync(Uri uri, TlsRptEnvelope envelope, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(uri);
        if (!TlsRptRecord.TryGetMailtoAddress(uri, out var rua))
        {
            return $"{uri.AbsoluteUri}: not a plain mailto: address"; // never reaches MimeKit's parser (header injection)
        }

        MimeMessage message;
        try
        {
            message = BuildMessage(new MailboxAddress(string.Empty, rua), envelope);
        }
        catch (ParseException ex)
        {
            return $"{uri.AbsoluteUri}: {ex.Message}";
        }

        using var _ = message;
        if (_signer is not null && !TlsRptDkimAlignment.IsAligned(_signer.Domain, envelope.Report.ContactInfo))
        {
            // RFC 8460 §3, RPT-17: never send a signature that is not aligned with From (AddTlsRpt refuses it at start).
            return $"{uri.AbsoluteUri}: the DKIM domain {_signer.Domain} is not the domain of {envelope.Report.ContactInfo} or a parent of it; not sent";
        }

        if (_signer is not null)
        {
            // RFC 8460 §3, RPT-17: fix the transfer encodings first, so that no later step changes what was signed.
            message.Prepare(EncodingConstraint.SevenBit);
            _signer.Sign(message, SignedHeaders);
        }

        var domain = rua[(rua.LastIndexOf('@') + 1)..];
        var (mx, candidates) = await _loop.ResolveAsync(domain, cancellationToken).ConfigureAwait(false);
        if (mx.Status != MxLookupStatus.Found)
        {
            return mx.Detail;
        }

        List<string> failures = [];
        var sent = await _loop.RunAsync(candidates, static _ => Task.FromResult(false), static _ => { }, AttemptAsync, cancellationToken).ConfigureAwait(false);
        return sent ? null : failures.Count == 0 ? $"no MX of {domain} has an address" : string.Join("; ", failures);

        async Task<MxStep> AttemptAsync(string host, System.Net.IPAddress ip)
        {
            // RFC 8460 §3 (RPT-18): report mail MUST be delivered despite TLS failures: STARTTLS when offered, and
            // after a failed TLS upgrade the same address once more in plain text.
            foreach (var security in new[] { SecureSocketOptions.StartTlsWhenAvailable, SecureSocketOptions.None })
            {
                var (error, tlsFailed) = await TrySendAsync(message, host, ip, security, cancellationToken).ConfigureAwait(false);
                if (error is null)
                {
                    return MxStep.Stop;
                }

                failures.Add($"{host} ({ip}{(security == SecureSocketOptions.None ? ", plain text" : string.Empty)}): {error.Message}");
                if (!tlsFailed)
                {
                    break;
                }
            }

            return MxStep.NextAddress;
        }
    }

    private static DkimSigner? DkimSignerFor(TlsRptOptions options)
    {
        if (options.DkimDomain is null && options.DkimSelector is null && options.DkimPrivateKey is null && options.DkimPrivateKeyFile is null)
        {
            return null;
        }

        if (string.IsNullOrWhiteSpace(options.DkimDomain) || string.IsNullOrWhiteSpace(options.DkimSelector)
            || (options.DkimPrivateKey is null) == (options.DkimPrivateKeyFile is null))
        {
            throw new ArgumentException("DKIM needs DkimDomain, DkimSelector and one of DkimPrivateKey and DkimPrivateKeyFile.", nameof(options));
        }

        var pem = options.DkimPrivateKey ?? File.ReadAllText(options.DkimPrivateKeyFile!);
        try
        {
            using var key = new MemoryStream(System.Text.Encoding.ASCII.GetBytes(pem));
            return new DkimSigner(key, options.DkimDomain, options.DkimSelector, DkimSignatureAlgorithm.RsaSha256)
            {
                HeaderCanonicalizationAlgorithm = DkimCanonicalizationAlgorithm.Relaxed,
                BodyCanonicalizationAlgorithm = DkimCanonicalizationAlgorithm.Relaxed,
            };
        }
        catch (Exception ex) when (ex is FormatException or InvalidCastException or IOException or ArgumentException)
        {
            throw new ArgumentException($"The DKIM private key is not a PEM RSA private key: {ex.Message}", nameof(options), ex);
        }
    }

    // One attempt at one address: the exception when it failed in a way worth trying elsewhere (null on success), and
    // whether it failed in the TLS upgrade (a handshake error, or silence after STARTTLS), which a plain-text try may avoid.
    private async Task<(Exception? Error, bool TlsFailed)> TrySendAsync(MimeMessage message, string host, System.Net.IPAddress ip, SecureSocketOptions security,
        CancellationToken cancellationToken)
    {
        // MtaStsSmtpClient: the handshake's chain is built offline, so a hostile MX cannot make us fetch its URLs.
        using var client = new MtaStsSmtpClient { LocalDomain = _options.HeloName, Timeout = (int)_options.CommandTimeout.TotalMilliseconds };
#pragma warning disable CA5359 // RFC 8460 §3 (RPT-18): report mail MUST be delivered despite TLS failures.
        client.ServerCertificateValidationCallback = (_, _, _, _) => true;
#pragma warning restore CA5359
        Socket? socket = null;
        var connected = false;
        try
        {
            socket = await _loop.ConnectAsync(ip, cancellationToken).ConfigureAwait(false);
            connected = true;
            using (var greeting = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
            {
                greeting.CancelAfter(_options.CommandTimeout); // greeting, EHLO and the TLS upgrade, which MailKit's Timeout does not bound
                await client.ConnectAsync(socket, host, _options.Port, security, greeting.Token).ConfigureAwait(false);
            }

            await client.SendAsync(message, cancellationToken).ConfigureAwait(false);
            await client.DisconnectAsync(true, cancellationToken).ConfigureAwait(false);
            return (null, false);
        }
        catch (Exception ex) when (ex is SocketException or IOException or SmtpCommandException or SmtpProtocolException or SslHandshakeException
            or System.Security.Authentication.AuthenticationException or TimeoutException
            or OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            socket?.Dispose();
            var tlsFailed = connected && security != SecureSocketOptions.None && !client.IsConnected
                && ex is SslHandshakeException or System.Security.Authentication.AuthenticationException or TimeoutException or OperationCanceledException or IOException;
            return (ex, tlsFailed);
        }
    }
}
