using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace MtaSts.Tool.Network;

/// <summary>
/// A small, bounded SMTP client that does what a sender does up to the first MAIL command: greeting, EHLO, the
/// STARTTLS keyword (CERT-1), STARTTLS, a TLS handshake that captures the certificate without trusting it (the review
/// comes after), QUIT. The whole probe is bounded by the timeout; nothing is sent but EHLO, STARTTLS and QUIT.
/// </summary>
internal sealed class SmtpProbe(HostConnector connector, int port, TimeSpan timeout)
{
    public async Task<SmtpProbeResult> ProbeAsync(string mxHost, CancellationToken cancellationToken)
    {
        var connected = await connector.ConnectAsync(mxHost, port, cancellationToken).ConfigureAwait(false);
        if (connected.Socket is null)
        {
            return Result(SmtpProbeStatus.Unreachable, connected.Error!);
        }

        using var socket = connected.Socket;
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(timeout);
        var stage = "the greeting";
        try
        {
            await using var network = new NetworkStream(socket, ownsSocket: false);
            var greeting = await SmtpReplyReader.ReadAsync(network, limit.Token).ConfigureAwait(false);
            if (greeting.Code != 220)
            {
                return Result(SmtpProbeStatus.Unreachable, $"{connected.Address}:{port} greets with {greeting.Code} {First(greeting.Lines)}");
            }

            stage = "EHLO";
            var helo = socket.LocalEndPoint is IPEndPoint local ? $"[{(local.AddressFamily == AddressFamily.InterNetworkV6 ? "IPv6:" : string.Empty)}{local.Address}]" : "[127.0.0.1]";
            var ehlo = await CommandAsync(network, $"EHLO {helo}", limit.Token).ConfigureAwait(false);
            if (ehlo.Code != 250)
            {
                return Result(SmtpProbeStatus.Unreachable, $"EHLO answered {ehlo.Code} {First(ehlo.Lines)}");
            }

            if (!ehlo.Lines.Skip(1).Any(l => l.Equals("STARTTLS", StringComparison.OrdinalIgnoreCase) || l.StartsWith("STARTTLS ", StringComparison.OrdinalIgnoreCase)))
            {
                await QuitAsync(network, limit.Token).ConfigureAwait(false);
                return Result(SmtpProbeStatus.NoStartTls, $"EHLO lists no STARTTLS ({string.Join(", ", ehlo.Lines.Skip(1).Take(8))})");
            }

            stage = "STARTTLS";
            var starttls = await CommandAsync(network, "STARTTLS", limit.Token).ConfigureAwait(false);
            if (starttls.Code != 220)
            {
                return Result(SmtpProbeStatus.StartTlsFailed, $"STARTTLS answered {starttls.Code} {First(starttls.Lines)}");
            }

            stage = "the TLS handshake";
            X509Certificate2? certificate = null;
            List<X509Certificate2> presented = [];
            await using var tls = new SslStream(network, leaveInnerStreamOpen: true);
            await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
            {
                TargetHost = mxHost, // CERT-12: SNI carries the MX host
                EnabledSslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13, // CERT-14
                CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
                CertificateChainPolicy = new X509ChainPolicy { DisableCertificateDownloads = true, RevocationMode = X509RevocationMode.NoCheck },
                RemoteCertificateValidationCallback = (_, cert, chain, _) =>
                {
                    certificate = cert is null ? null : X509CertificateLoader.LoadCertificate(cert.GetRawCertData());
                    presented.AddRange(chain?.ChainElements.Skip(1).Select(e => X509CertificateLoader.LoadCertificate(e.Certificate.RawData)) ?? []);
                    return true; // captured, judged afterwards
                },
            }, limit.Token).ConfigureAwait(false);
            await QuitAsync(tls, limit.Token).ConfigureAwait(false);
            return certificate is null
                ? Result(SmtpProbeStatus.StartTlsFailed, "the server presented no certificate")
                : new SmtpProbeResult(SmtpProbeStatus.Secured, $"STARTTLS, {TlsName(tls.SslProtocol)}", certificate, presented);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return Result(stage is "the greeting" or "EHLO" ? SmtpProbeStatus.Unreachable : SmtpProbeStatus.StartTlsFailed,
                $"no answer to {stage} within {timeout.TotalSeconds:0.#} s");
        }
        catch (Exception ex) when (ex is IOException or SocketException or AuthenticationException)
        {
            return Result(stage is "the greeting" or "EHLO" ? SmtpProbeStatus.Unreachable : SmtpProbeStatus.StartTlsFailed,
                $"{stage} failed: {ex.Message}");
        }
    }

    private static async Task<(int Code, List<string> Lines)> CommandAsync(Stream stream, string command, CancellationToken cancellationToken)
    {
        await stream.WriteAsync(Encoding.ASCII.GetBytes(command + "\r\n"), cancellationToken).ConfigureAwait(false);
        await stream.FlushAsync(cancellationToken).ConfigureAwait(false);
        return await SmtpReplyReader.ReadAsync(stream, cancellationToken).ConfigureAwait(false);
    }

    // Best effort: the verdict is already known, so a server that does not answer QUIT changes nothing.
    private static async Task QuitAsync(Stream stream, CancellationToken cancellationToken)
    {
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(TimeSpan.FromSeconds(2));
        try
        {
            await CommandAsync(stream, "QUIT", limit.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or OperationCanceledException or SocketException)
        {
            // ignored
        }
    }

    private static string TlsName(SslProtocols protocol) => protocol switch
    {
        SslProtocols.Tls13 => "TLS 1.3",
        SslProtocols.Tls12 => "TLS 1.2",
        _ => protocol.ToString(),
    };

    private static string First(List<string> lines) => SmtpReplyReader.Shorten(lines.FirstOrDefault() ?? string.Empty);

    private static SmtpProbeResult Result(SmtpProbeStatus status, string detail) => new(status, detail, null, []);
}
