namespace MtaSts.Tool.Network;

/// <summary>How far an SMTP probe got.</summary>
internal enum SmtpProbeStatus
{
    /// <summary>The MX host has no address, or no connection or greeting could be had.</summary>
    Unreachable,

    /// <summary>EHLO did not list STARTTLS (CERT-1).</summary>
    NoStartTls,

    /// <summary>STARTTLS was refused, or the TLS handshake failed.</summary>
    StartTlsFailed,

    /// <summary>TLS was negotiated and the certificate captured.</summary>
    Secured,
}
