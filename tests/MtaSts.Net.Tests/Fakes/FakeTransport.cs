using System.Collections.Concurrent;
using MtaSts.Reporting;

namespace MtaSts.Tests.Fakes;

/// <summary>A report transport for one scheme (unit seam) that records what it was given and answers as told.</summary>
internal sealed class FakeTransport(string scheme, Func<Uri, TlsRptEnvelope, CancellationToken, Task<string?>>? deliver = null) : ITlsRptTransport
{
    private int _inFlight;
    private int _maxInFlight;

    public ConcurrentQueue<(Uri Uri, TlsRptEnvelope Envelope)> Calls { get; } = new();

    public int MaxInFlight => Volatile.Read(ref _maxInFlight);

    public bool CanDeliver(Uri uri) => uri.Scheme == scheme;

    public async Task<string?> DeliverAsync(Uri uri, TlsRptEnvelope envelope, CancellationToken cancellationToken = default)
    {
        Calls.Enqueue((uri, envelope));
        var now = Interlocked.Increment(ref _inFlight);
        for (var seen = Volatile.Read(ref _maxInFlight); now > seen; seen = Volatile.Read(ref _maxInFlight))
        {
            Interlocked.CompareExchange(ref _maxInFlight, now, seen);
        }

        try
        {
            return deliver is null ? null : await deliver(uri, envelope, cancellationToken);
        }
        finally
        {
            Interlocked.Decrement(ref _inFlight);
        }
    }
}
