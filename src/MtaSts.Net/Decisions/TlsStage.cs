namespace MtaSts.Decisions;

/// <summary>How far the TLS upgrade of one SMTP session got: a fact the decision table reads.</summary>
internal enum TlsStage
{
    /// <summary>Nothing is known about the session yet: the MX host is judged before connecting.</summary>
    NotConnected = 0,

    /// <summary>The EHLO reply lacked STARTTLS (CERT-1).</summary>
    NotOffered = 1,

    /// <summary>STARTTLS was offered, then the command was refused (e.g. 454): the same as not offered (CERT-1).</summary>
    Refused = 2,

    /// <summary>The TLS handshake failed, whether the certificate check refused it or something else broke it.</summary>
    HandshakeFailed = 3,

    /// <summary>TLS was negotiated, or the certificate is being judged inside the handshake.</summary>
    Established = 4,
}
