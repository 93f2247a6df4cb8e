using System.Net.Sockets;
using MailKit;
using MailKit.Net.Smtp;
using MailKit.Security;
using MtaSts.MailKit.Delivery;

namespace MtaSts.MailKit.Internal;

/// <summary>Maps what a delivery attempt can throw to a typed <see cref="MtaStsAttemptError"/>.</summary>
internal static class AttemptClassifier
{
    /// <summary>
    /// Every exception one attempt can raise from the socket, MailKit or the timeouts, typed; anything else is a bug and
    /// escapes. The caller's own cancellation is not a failure of the attempt and escapes too.
    /// </summary>
    public static MtaStsAttemptError? Classify(Exception exception, CancellationToken cancellationToken) => exception switch
    {
        // Only a 5xx to MAIL, RCPT or DATA is the recipient's final word. A 5xx greeting or EHLO comes from a peer that
        // has proved nothing (a broken MX, or an on-path attacker before STARTTLS): try the next MX, as Postfix does.
        SmtpCommandException { ErrorCode: SmtpErrorCode.SenderNotAccepted or SmtpErrorCode.RecipientNotAccepted or SmtpErrorCode.MessageNotAccepted } command
            when (int)command.StatusCode >= 500 => MtaStsAttemptError.PermanentRejection,
        SmtpCommandException => MtaStsAttemptError.TemporaryRejection,
        SmtpProtocolException or ServiceNotConnectedException => MtaStsAttemptError.ProtocolError,
        SslHandshakeException or System.Security.Authentication.AuthenticationException => MtaStsAttemptError.TlsFailed,
        TimeoutException => MtaStsAttemptError.Timeout,
        OperationCanceledException => cancellationToken.IsCancellationRequested ? null : MtaStsAttemptError.Timeout,
        SocketException { SocketErrorCode: SocketError.TimedOut } => MtaStsAttemptError.Timeout,
        SocketException => MtaStsAttemptError.ConnectFailed,
        IOException { InnerException: TimeoutException or SocketException { SocketErrorCode: SocketError.TimedOut } } => MtaStsAttemptError.Timeout,
        IOException => MtaStsAttemptError.ProtocolError,
        _ => null,
    };
}
