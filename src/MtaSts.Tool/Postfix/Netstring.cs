namespace MtaSts.Tool.Postfix;

/// <summary>What <see cref="Netstring.TryRead"/> found at the start of a buffer.</summary>
internal enum NetstringStatus
{
    /// <summary>A whole netstring: its payload and its length in the buffer are known.</summary>
    Complete,

    /// <summary>A valid beginning; more bytes are needed.</summary>
    Incomplete,

    /// <summary>Not a netstring (no digits, a leading zero, a non-digit before the colon, no comma after the payload).</summary>
    Malformed,

    /// <summary>The announced length exceeds the limit.</summary>
    TooLarge,
}

/// <summary>
/// Netstrings, the framing of Postfix's socketmap protocol: the payload length in decimal, a colon, the payload, a
/// comma (<c>12:hello world!,</c>). Pure functions over spans; the caller owns every buffer.
/// </summary>
internal static class Netstring
{
    /// <summary>The most digits a length may have (a length of 99 999 999 bytes is far past any limit we accept).</summary>
    private const int MaxDigits = 8;

    /// <summary>Reads the netstring at the start of <paramref name="buffer"/>.</summary>
    /// <param name="buffer">The bytes received and not yet consumed.</param>
    /// <param name="maxPayload">The largest payload accepted.</param>
    /// <param name="payloadOffset">Where the payload starts in <paramref name="buffer"/> (when complete).</param>
    /// <param name="payloadLength">The payload length (when complete).</param>
    /// <param name="consumed">The bytes the whole netstring takes (when complete).</param>
    /// <returns>What was found.</returns>
    public static NetstringStatus TryRead(ReadOnlySpan<byte> buffer, int maxPayload, out int payloadOffset, out int payloadLength, out int consumed)
    {
        payloadOffset = payloadLength = consumed = 0;
        var length = 0;
        var digits = 0;
        while (true)
        {
            if (digits == buffer.Length)
            {
                return digits > MaxDigits ? NetstringStatus.TooLarge : NetstringStatus.Incomplete;
            }

            var b = buffer[digits];
            if (b == (byte)':')
            {
                break;
            }

            if (b is < (byte)'0' or > (byte)'9' || (digits == 1 && buffer[0] == (byte)'0'))
            {
                return NetstringStatus.Malformed; // a non-digit, or a leading zero
            }

            if (++digits > MaxDigits)
            {
                return NetstringStatus.TooLarge;
            }

            length = (length * 10) + (b - '0');
            if (length > maxPayload)
            {
                return NetstringStatus.TooLarge;
            }
        }

        if (digits == 0)
        {
            return NetstringStatus.Malformed;
        }

        var total = digits + 1 + length + 1;
        if (buffer.Length < total)
        {
            return NetstringStatus.Incomplete;
        }

        if (buffer[total - 1] != (byte)',')
        {
            return NetstringStatus.Malformed;
        }

        payloadOffset = digits + 1;
        payloadLength = length;
        consumed = total;
        return NetstringStatus.Complete;
    }

    /// <summary>Encodes <paramref name="payload"/> (ASCII, as every socketmap reply we write) as a netstring.</summary>
    /// <param name="payload">The reply text.</param>
    /// <returns>The encoded bytes.</returns>
    public static byte[] Encode(string payload)
    {
        var body = System.Text.Encoding.UTF8.GetBytes(payload);
        var prefix = System.Text.Encoding.ASCII.GetBytes(body.Length.ToString(System.Globalization.CultureInfo.InvariantCulture) + ":");
        var result = new byte[prefix.Length + body.Length + 1];
        prefix.CopyTo(result, 0);
        body.CopyTo(result, prefix.Length);
        result[^1] = (byte)',';
        return result;
    }
}
