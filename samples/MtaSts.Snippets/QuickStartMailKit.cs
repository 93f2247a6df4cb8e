#region mailkit-usings
using MailKit.Net.Smtp;
using MailKit.Security;
using MimeKit;
using MtaSts;
using MtaSts.MailKit;                         // MtaStsSmtpClient, ConnectWithMtaStsAsync, the exceptions
using MtaSts.MailKit.Delivery;                // MtaStsDirectSender
#endregion

namespace MtaSts.Snippets;

/// <summary>README: Quick start (MailKit).</summary>
public static class QuickStartMailKit
{
    public static async Task SendThroughOneMxAsync(MimeMessage message)
    {
        #region mailkit
        using var enforcer = MtaStsEnforcer.Create();
        var state = await enforcer.GetPolicyAsync("example.com");
        using var client = new MtaStsSmtpClient();   // an SmtpClient whose handshake fetches no AIA/CRL/OCSP URL
        try
        {
            MtaStsSessionOutcome outcome = await client.ConnectWithMtaStsAsync(state, "mx1.example.com");   // STARTTLS + checks
            await client.SendAsync(message);
            await client.DisconnectAsync(true);
        }
        catch (MtaStsDeliveryRefusedException ex) { Console.WriteLine(ex.Decision); /* temporary: next MX or retry later */ }
        catch (MtaStsSessionFailedException ex) { Console.WriteLine(ex.Outcome); /* TLS upgrade failed (testing/none): next MX */ }
        #endregion
    }

    public static async Task OwnCallbackAsync(IMtaStsEnforcer enforcer, MimeMessage message)
    {
        #region mailkit-callback
        var state = await enforcer.GetPolicyAsync("example.com");
        if (!state.EvaluateMx("mx1.example.com").MayDeliver) { return; /* this MX is refused: try the next one */ }

        using var client = new SmtpClient();
        client.ServerCertificateValidationCallback = (sender, certificate, chain, sslPolicyErrors) =>
            state.EvaluateTls((string)sender, startTlsOffered: true, certificate, chain, sslPolicyErrors).MayDeliver;   // MailKit passes the host
        var tls = state.Mode == MtaStsMode.Enforce
            ? SecureSocketOptions.StartTls                                  // enforce: no plaintext fallback
            : SecureSocketOptions.StartTlsWhenAvailable;
        await client.ConnectAsync("mx1.example.com", 25, tls);            // a refused certificate throws SslHandshakeException
        await client.SendAsync(message);
        await client.DisconnectAsync(true);
        #endregion
    }

    public static async Task DirectAsync(IMtaStsEnforcer enforcer, MimeMessage message)
    {
        #region direct-sender
        var sender = new MtaStsDirectSender(enforcer);
        foreach (var result in await sender.SendAsync(message))                  // one result per recipient domain
            Console.WriteLine($"{result.Domain}: {result.Status} — {result.Reason}");   // Delivered, Deferred or Failed
        #endregion
    }
}
