namespace MtaSts;

/// <summary>The <c>mode</c> of an MTA-STS policy.</summary>
/// <seealso href="https://www.rfc-editor.org/rfc/rfc8461#section-5">RFC 8461 §5</seealso>
public enum MtaStsMode
{
    /// <summary><c>none</c>: the domain has no active policy; deliver as without MTA-STS (FLOW-4).</summary>
    None = 0,

    /// <summary><c>testing</c>: deliver even when a check fails, and report the failure (FLOW-3).</summary>
    Testing = 1,

    /// <summary><c>enforce</c>: never deliver to an MX that fails a check (FLOW-2).</summary>
    Enforce = 2,
}
