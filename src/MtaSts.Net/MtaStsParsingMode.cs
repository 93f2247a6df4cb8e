namespace MtaSts;

/// <summary>How strictly TXT records and policy files are parsed.</summary>
public enum MtaStsParsingMode
{
    /// <summary>The RFC 8461 ABNF, to the letter. The default.</summary>
    Strict = 0,

    /// <summary>
    /// Also accepts the documented real-world deviations (ids with <c>-</c>, <c>+</c>, <c>_</c> or <c>.</c>,
    /// blank and comment lines, whitespace around <c>:</c>, a trailing dot on an <c>mx</c>, a byte-order mark,
    /// a <c>max_age</c> above the RFC maximum, which is clamped). Each leniency used is listed on the parsed
    /// object and logged by the enforcer.
    /// </summary>
    Lenient = 1,
}
