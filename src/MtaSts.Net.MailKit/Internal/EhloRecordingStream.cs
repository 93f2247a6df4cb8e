using System.Text;

namespace MtaSts.MailKit.Internal;

/// <summary>
/// Wraps the TCP stream of an SMTP session and keeps the server's answer to the client's clear-text EHLO (at most
/// 16 KiB): recording starts when the client writes EHLO and stops at its next command. After STARTTLS only TLS records
/// pass, which never start with EHLO, so nothing encrypted is kept. Lets the EHLO reply be inspected for a stripped
/// STARTTLS whatever SmtpClient is used.
/// </summary>
internal sealed class EhloRecordingStream(Stream inner) : Stream
{
    private const int MaxRecorded = 16 * 1024;
    private readonly MemoryStream _recorded = new();
    private bool _recording;

    /// <summary>Whether the client sent STARTTLS: a failure after it is a failed upgrade, not a failed greeting (CERT-1).</summary>
    public bool StartTlsSent { get; private set; }

    /// <summary>The lines of the server's reply to the last clear-text EHLO.</summary>
    public IReadOnlyList<string> EhloReply() =>
        Encoding.Latin1.GetString(_recorded.GetBuffer(), 0, (int)_recorded.Length).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);

    /// <summary>
    /// The name the server gave in the first line of its EHLO (or HELO) reply, <c>250-name ...</c>, for TLS-RPT's
    /// <c>receiving-mx-helo</c>; <see langword="null"/> when there was no such reply. The recorder keeps only a
    /// host name or address literal of it.
    /// </summary>
    public string? ServerName()
    {
        var reply = EhloReply();
        if (reply.Count == 0 || reply[0].Length < 5 || !reply[0].StartsWith("250", StringComparison.Ordinal) || reply[0][3] is not ('-' or ' '))
        {
            return null;
        }

        var name = reply[0].AsSpan(4).Trim();
        var end = name.IndexOf(' ');
        return (end < 0 ? name : name[..end]).ToString();
    }

    public override bool CanRead => inner.CanRead;

    public override bool CanSeek => false;

    public override bool CanWrite => inner.CanWrite;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override int ReadTimeout { get => inner.ReadTimeout; set => inner.ReadTimeout = value; }

    public override int WriteTimeout { get => inner.WriteTimeout; set => inner.WriteTimeout = value; }

    public override bool CanTimeout => inner.CanTimeout;

    public override int Read(byte[] buffer, int offset, int count)
    {
        var read = inner.Read(buffer, offset, count);
        Record(buffer.AsSpan(offset, read));
        return read;
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var read = await inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
        Record(buffer.Span[..read]);
        return read;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Write(byte[] buffer, int offset, int count)
    {
        Watch(buffer.AsSpan(offset, count));
        inner.Write(buffer, offset, count);
    }

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        Watch(buffer.Span);
        return inner.WriteAsync(buffer, cancellationToken);
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Flush() => inner.Flush();

    public override Task FlushAsync(CancellationToken cancellationToken) => inner.FlushAsync(cancellationToken);

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            inner.Dispose(); // the recording stays readable after the session closes
        }

        base.Dispose(disposing);
    }

    private void Record(ReadOnlySpan<byte> data)
    {
        if (_recording && _recorded.Length + data.Length <= MaxRecorded)
        {
            _recorded.Write(data);
        }
    }

    private void Watch(ReadOnlySpan<byte> data)
    {
        StartTlsSent |= data.StartsWith("STARTTLS"u8);
        _recording = data.StartsWith("EHLO "u8) || data.StartsWith("HELO "u8);
        if (_recording)
        {
            _recorded.SetLength(0);
        }
    }
}
