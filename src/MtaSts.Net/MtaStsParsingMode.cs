namespace MtaSts;

/// <summary>How strictly TXT records and policy files are parsed.</summary>
public enum MtaStsParsingMode
{
    /// <summary>The RFC 8461 ABNF, to the letter. The default of <see cref="MtaStsPolicy.TryParse(string, out MtaStsPolicy?, out string?)"/>.</summary>
    Strict = 0,

    /// <summary>
    /// Also accepts the documented real-world deviations (ids with <c>-</c>, <c>+</c>, <c>_</c> or <c>.</c>,
    /// blank and comment lines, whitespace at the start of a line or before <c>:</c>, a trailing dot on an <c>mx</c>, a byte-order mark,
    /// a <c>max_age</c> above the RFC maximum, which is clamped). Each leniency used is listed on the parsed
    /// object and logged by the enforcer.
    /// </summary>
    Lenient = 1,

    /// <summary>
    /// The RFC grammar, plus the deviations whose meaning is plain: blank lines and a byte-order mark in a policy,
    /// a trailing dot on an <c>mx</c>, an empty value of an unknown field. Rejecting those would drop a publisher's
    /// <c>enforce</c> policy and send mail opportunistically, so they are accepted, listed on the parsed object and
    /// logged as warnings by the enforcer. Everything ambiguous (whitespace at the start of a line or before <c>:</c>, comments, a
    /// <c>max_age</c> above the RFC maximum, TXT records off the grammar) is rejected as in <see cref="Strict"/>.
    /// The default of <see cref="MtaStsOptions.ParsingMode"/>.
    /// </summary>
    Tolerant = 2,
}
