namespace MtaSts.Tool.Postfix;

/// <summary>
/// The settings of one socketmap name (a "zone", as postfix-mta-sts-resolver calls it): Postfix names it in
/// <c>socketmap:inet:127.0.0.1:8461:&lt;name&gt;</c>, and several <c>main.cf</c> maps may ask with different names.
/// </summary>
internal sealed record PostfixZone
{
    /// <summary>The map name Postfix sends before the key.</summary>
    public required string Name { get; init; }

    /// <summary>Whether <c>testing</c> policies are answered like <c>enforce</c> ones (postfix-mta-sts-resolver's
    /// <c>strict_testing</c>). Off by default: RFC 8461 §5 says a testing policy must not stop delivery.</summary>
    public bool StrictTesting { get; init; }

    /// <summary>How long one lookup may take before the answer is <c>TEMP</c> (the lookup goes on in the background).</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(4);

    /// <summary>Whether answers carry <c>servername=hostname</c> (SNI of the MX host name; Postfix 3.4 and later).</summary>
    public bool RequireSni { get; init; } = true;

    /// <summary>Whether answers carry the TLSRPT policy attributes read by Postfix 3.10 and later.</summary>
    public bool TlsRpt { get; init; }

    /// <summary>The name as bytes, compared with the request's name without decoding it.</summary>
    public byte[] NameBytes => field ??= System.Text.Encoding.UTF8.GetBytes(Name);
}
