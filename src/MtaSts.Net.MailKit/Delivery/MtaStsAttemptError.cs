namespace MtaSts.MailKit.Delivery;

/// <summary>Why one delivery attempt failed, typed, so a queue can tell a policy refusal from a dead host or a rejection.</summary>
public enum MtaStsAttemptError
{
    /// <summary>The attempt did not fail: the message was delivered.</summary>
    None = 0,

    /// <summary>MTA-STS refused the MX or its session (<see cref="MtaStsVerdict.FailClosed"/>): skipped as unreachable (MX-8, FLOW-2).</summary>
    PolicyRefused = 1,

    /// <summary>The MX host name has no address.</summary>
    NoAddress = 2,

    /// <summary>The TCP connection could not be made.</summary>
    ConnectFailed = 3,

    /// <summary>The connection or an SMTP command timed out.</summary>
    Timeout = 4,

    /// <summary>The TLS upgrade failed where the policy allowed delivery (STARTTLS refused, or the handshake failed); reported for TLS-RPT.</summary>
    TlsFailed = 5,

    /// <summary>The server broke the SMTP protocol or dropped the connection.</summary>
    ProtocolError = 6,

    /// <summary>The server answered with a 4xx reply: retry later.</summary>
    TemporaryRejection = 7,

    /// <summary>The server rejected the message with a 5xx reply: a permanent failure.</summary>
    PermanentRejection = 8,
}
