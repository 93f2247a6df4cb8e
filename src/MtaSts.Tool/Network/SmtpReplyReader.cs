using System.Text;

namespace MtaSts.Tool.Network;

/// <summary>
/// Reads SMTP replies (RFC 5321 §4.2) from a stream, bounded by size: at most 1,000 octets a line and 64 lines a reply.
/// Time is bounded by the caller's token. Reads byte by byte, so nothing after a reply is consumed (the TLS handshake
/// that follows STARTTLS must see its first byte).
/// </summary>
internal static class SmtpReplyReader
{
    private const int MaxLine = 1000;
    private const int MaxLines = 64;

    public static async Task<(int Code, List<string> Lines)> ReadAsync(Stream stream, CancellationToken cancellationToken)
    {
        List<string> lines = [];
        var buffer = new byte[1];
        var line = new StringBuilder();
        while (true)
        {
            if (await stream.ReadAsync(buffer, cancellationToken).ConfigureAwait(false) == 0)
            {
                throw new IOException("the server closed the connection");
            }

            if (buffer[0] != '\n')
            {
                if (line.Length >= MaxLine)
                {
                    throw new IOException($"a reply line is longer than {MaxLine} octets");
                }

                line.Append(buffer[0] is >= 0x20 and < 0x7F ? (char)buffer[0] : buffer[0] == '\r' ? '\r' : '?');
                continue;
            }

            var text = line.ToString().TrimEnd('\r');
            line.Clear();
            if (text.Length < 3 || !int.TryParse(text.AsSpan(0, 3), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var code)
                || (text.Length > 3 && text[3] is not (' ' or '-')))
            {
                throw new IOException($"not an SMTP reply: '{Shorten(text)}'");
            }

            lines.Add(text.Length > 4 ? text[4..] : string.Empty);
            if (text.Length == 3 || text[3] == ' ')
            {
                return (code, lines);
            }

            if (lines.Count >= MaxLines)
            {
                throw new IOException($"a reply of more than {MaxLines} lines");
            }
        }
    }

    public static string Shorten(string text) => text.Length <= 80 ? text : text[..80] + "...";
}
