namespace MtaSts.Reporting;

// The _smtp._tls TXT record, RFC 8460 §3, in our own words:
//   record    = "v=TLSRPTv1" 1*(delimiter field) [delimiter]     version first, case-sensitive (RPT-6)
//   delimiter = *WSP ";" *WSP
//   field     = "rua=" uri *(*WSP "," *WSP uri)                  required; ',', '!' and ';' inside a URI are %-encoded
//             / name "=" value                                   extensions, ignored
// Only mailto: and https: URIs are usable (RPT-8); others, and malformed ones, are kept aside as skipped (see TlsRptUri).

/// <summary>An <c>_smtp._tls</c> TLS-RPT record (RFC 8460 §3).</summary>
internal sealed class TlsRptRecord
{
    private const string Version = "v=TLSRPTv1";

    private TlsRptRecord(IReadOnlyList<Uri> reportingUris, IReadOnlyList<string> skippedUris, IReadOnlyList<string> skipReasons)
    {
        ReportingUris = reportingUris;
        SkippedUris = skippedUris;
        SkipReasons = skipReasons;
    }

    /// <summary>The usable aggregate report URIs (<c>mailto:</c> and <c>https:</c>), in record order.</summary>
    public IReadOnlyList<Uri> ReportingUris { get; }

    /// <summary>The <c>rua</c> URIs that cannot be used: another scheme (RPT-8), or a malformed <c>mailto:</c> or <c>https:</c> URI.</summary>
    public IReadOnlyList<string> SkippedUris { get; }

    /// <summary>Why each of <see cref="SkippedUris"/> was skipped, in the same order (for logs).</summary>
    internal IReadOnlyList<string> SkipReasons { get; }

    /// <summary>Parses one record (its character-strings joined without spaces).</summary>
    /// <param name="text">The record.</param>
    /// <param name="record">The record, when valid.</param>
    /// <param name="error">Why it is invalid, when it is.</param>
    /// <returns><see langword="true"/> when the record is valid.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="text"/> is null.</exception>
    public static bool TryParse(string text, out TlsRptRecord? record, out string? error)
    {
        ArgumentNullException.ThrowIfNull(text);
        record = null;
        if (text.Any(c => c != '\t' && c is < ' ' or > '~'))
        {
            error = "the record holds a control or non-ASCII character";
            return false;
        }

        if (!text.StartsWith(Version, StringComparison.Ordinal))
        {
            error = "the record does not begin with v=TLSRPTv1 (RPT-6)";
            return false;
        }

        var rest = text.Substring(Version.Length).TrimStart(' ', '\t');
        if (rest.Length == 0 || rest[0] != ';')
        {
            error = "v=TLSRPTv1 must be followed by ';' and an rua field (RPT-6)";
            return false;
        }

        List<Uri>? usable = null;
        List<string> skipped = [];
        List<string> reasons = [];
        foreach (var rawField in rest.Substring(1).Split(';'))
        {
            var field = rawField.Trim(' ', '\t');
            if (field.Length == 0)
            {
                continue; // the optional trailing delimiter
            }

            var equals = field.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0 || field.AsSpan(0, equals).ContainsAny(" \t") || (equals + 1 < field.Length && field[equals + 1] is ' ' or '\t'))
            {
                error = $"'{field}' is not name=value (RPT-6)";
                return false;
            }

            if (!field.AsSpan(0, equals).SequenceEqual("rua") || usable is not null)
            {
                continue; // extensions, and a second rua, are ignored
            }

            usable = [];
            foreach (var candidate in field.Substring(equals + 1).Split(','))
            {
                var uri = candidate.Trim(' ', '\t');
                if (uri.Length == 0 || uri.Contains('!', StringComparison.Ordinal) || uri.AsSpan().ContainsAny(" \t"))
                {
                    error = $"rua holds an invalid URI '{uri}' (RPT-6)";
                    return false;
                }

                if (TlsRptUri.TryValidate(uri, out var parsed, out var reason))
                {
                    usable.Add(parsed);
                }
                else
                {
                    skipped.Add(uri); // hardening: one bad rua never reaches a transport, the others still serve
                    reasons.Add(reason);
                }
            }
        }

        if (usable is null)
        {
            error = "the record has no rua field (RPT-6)";
            return false;
        }

        record = new TlsRptRecord(usable, skipped, reasons);
        error = null;
        return true;
    }

    /// <summary>
    /// The address of a <c>mailto:</c> rua: percent-decoded and checked to be a plain addr-spec (a dot-atom local part
    /// and a host name; no quotes, spaces, control characters, header fields). Transports use it instead of the URI's parts.
    /// </summary>
    /// <param name="uri">The rua URI.</param>
    /// <param name="address">The address, when valid.</param>
    /// <returns><see langword="true"/> when <paramref name="uri"/> is a usable <c>mailto:</c> URI.</returns>
    public static bool TryGetMailtoAddress(Uri uri, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out string? address)
    {
        address = null;
        return uri is not null && TlsRptUri.TryGetMailbox(uri.OriginalString, out address, out _);
    }

    /// <summary>Selects the single TLSRPTv1 record of an RRset (RPT-7): others are discarded, and not exactly one left means no reporting.</summary>
    /// <param name="txtRecords">All TXT records at <c>_smtp._tls.&lt;domain&gt;</c>.</param>
    /// <param name="record">The record, when found and valid.</param>
    /// <param name="error">Why there is none.</param>
    /// <returns>The outcome.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="txtRecords"/> is null.</exception>
    public static MtaStsRecordSelection Select(IReadOnlyList<string> txtRecords, out TlsRptRecord? record, out string? error)
    {
        ArgumentNullException.ThrowIfNull(txtRecords);
        record = null;
        var candidates = txtRecords.Where(t => t.StartsWith(Version + ";", StringComparison.Ordinal)).ToList();
        if (candidates.Count == 0)
        {
            error = "no TXT record begins with v=TLSRPTv1; (RPT-7)";
            return MtaStsRecordSelection.NotFound;
        }

        if (candidates.Count > 1)
        {
            error = $"{candidates.Count} TLSRPTv1 records; exactly one is allowed (RPT-7)";
            return MtaStsRecordSelection.Multiple;
        }

        return TryParse(candidates[0], out record, out error) ? MtaStsRecordSelection.Found : MtaStsRecordSelection.Invalid;
    }
}
