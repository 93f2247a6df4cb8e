using MtaSts.Parsing;

namespace MtaSts;

/// <summary>An <c>_mta-sts</c> TXT record (RFC 8461 §3.1).</summary>
/// <seealso href="https://www.rfc-editor.org/rfc/rfc8461#section-3.1">RFC 8461 §3.1</seealso>
internal sealed class MtaStsRecord
{
    private MtaStsRecord(string id, string text, IReadOnlyList<string> leniencies)
    {
        Id = id;
        Text = text;
        Leniencies = leniencies;
    }

    /// <summary>The policy version id (<c>id=</c>), compared byte for byte (TXT-13).</summary>
    public string Id { get; }

    /// <summary>The record text as published (its character-strings joined without spaces).</summary>
    public string Text { get; }

    /// <summary>The deviations from the RFC grammar accepted in <see cref="MtaStsParsingMode.Tolerant"/> or <see cref="MtaStsParsingMode.Lenient"/> mode; empty when strict.</summary>
    public IReadOnlyList<string> Leniencies { get; }

    /// <summary>Parses one TXT record with the strict RFC grammar.</summary>
    /// <param name="text">The record, its character-strings already joined without spaces (TXT-5).</param>
    /// <param name="record">The record, when valid.</param>
    /// <returns><see langword="true"/> when the record is valid.</returns>
    public static bool TryParse(string text, out MtaStsRecord? record) =>
        TryParse(text, MtaStsParsingMode.Strict, out record, out _);

    /// <summary>Parses one TXT record.</summary>
    /// <param name="text">The record, its character-strings already joined without spaces (TXT-5).</param>
    /// <param name="mode">Strict RFC grammar, tolerant of plain deviations, or lenient.</param>
    /// <param name="record">The record, when valid.</param>
    /// <param name="error">Why the record is invalid, when it is.</param>
    /// <returns><see langword="true"/> when the record is valid.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="text"/> is null.</exception>
    public static bool TryParse(string text, MtaStsParsingMode mode, out MtaStsRecord? record, out string? error)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (RecordParser.TryParse(text, mode, out var id, out var leniencies, out error))
        {
            record = new MtaStsRecord(id!, text, (IReadOnlyList<string>?)leniencies ?? []);
            return true;
        }

        record = null;
        return false;
    }

    /// <summary>
    /// Selects the single STSv1 record from every TXT record found at <c>_mta-sts.&lt;domain&gt;</c> (TXT-3):
    /// records that do not begin with <c>v=STSv1;</c> are discarded, and anything but exactly one left means no policy.
    /// A lone record with whitespace before its first <c>;</c> is still parsed by the grammar (TXT-9).
    /// </summary>
    /// <param name="txtRecords">All TXT records of the RRset, each one's strings joined without spaces.</param>
    /// <param name="mode">Strict RFC grammar, tolerant of plain deviations, or lenient.</param>
    /// <param name="record">The record, when exactly one valid STSv1 record was found.</param>
    /// <param name="error">Why there is no record, when there is none.</param>
    /// <returns>The outcome of the selection.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="txtRecords"/> is null.</exception>
    public static MtaStsRecordSelection Select(IReadOnlyList<string> txtRecords, MtaStsParsingMode mode, out MtaStsRecord? record, out string? error)
    {
        ArgumentNullException.ThrowIfNull(txtRecords);
        record = null;
        string? candidate = null;
        var count = 0;
        foreach (var text in txtRecords)
        {
            if (text.StartsWith(RecordParser.Version + ";", StringComparison.Ordinal))
            {
                candidate = text;
                count++;
            }
        }

        // TXT-9 (erratum 6285): a lone record with whitespace before its first ';' is valid by the grammar.
        if (count == 0 && txtRecords.Count == 1 && txtRecords[0].StartsWith(RecordParser.Version, StringComparison.Ordinal)
            && txtRecords[0].Length > RecordParser.Version.Length && RecordParser.IsWsp(txtRecords[0][RecordParser.Version.Length]))
        {
            candidate = txtRecords[0];
            count = 1;
        }

        if (count == 0)
        {
            error = "no TXT record begins with v=STSv1; (TXT-3)";
            return MtaStsRecordSelection.NotFound;
        }

        if (count > 1)
        {
            error = $"{count} TXT records begin with v=STSv1; exactly one is allowed (TXT-3)";
            return MtaStsRecordSelection.Multiple;
        }

        if (!TryParse(candidate!, mode, out record, out var parseError))
        {
            error = parseError;
            return MtaStsRecordSelection.Invalid;
        }

        error = null;
        return MtaStsRecordSelection.Found;
    }

    /// <inheritdoc/>
    public override string ToString() => Text;
}
