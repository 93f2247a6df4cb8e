namespace MtaSts.MailKit.Tests;

/// <summary>What a <see cref="ScriptedSmtpServer"/> does when the client sends STARTTLS.</summary>
public enum StartTlsScript
{
    /// <summary>220, then a TLS handshake with a certificate context built offline.</summary>
    Handshake,

    /// <summary>454: STARTTLS offered, then refused.</summary>
    Refuse,

    /// <summary>220, then bytes that are not TLS, and the connection closed.</summary>
    Garbage,

    /// <summary>220, then silence: the TLS handshake never gets a ServerHello.</summary>
    Stall,
}
