using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace MtaSts.Benchmarks;

/// <summary>
/// A socketmap load generator that allocates nothing while it runs: one thread per connection, blocking socket calls,
/// one request in flight per connection, a barrier to start and end each run, and a latency histogram per
/// connection (1 µs buckets up to 100 ms).
/// </summary>
internal sealed class SocketmapLoadGenerator : IDisposable
{
    private const int Buckets = 100_000;
    private readonly Socket[] _sockets;
    private readonly Thread[] _threads;
    private readonly long[][] _histograms;
    private readonly Barrier _start;
    private readonly Barrier _end;
    private readonly byte[] _request;
    private readonly int _replyLength;
    private volatile bool _stopping;
    private int _requestsPerConnection;
    private int _failures;

    public SocketmapLoadGenerator(EndPoint server, int connections, string request, int replyLength)
    {
        _request = Encoding.ASCII.GetBytes($"{request.Length}:{request},");
        _replyLength = replyLength;
        _sockets = new Socket[connections];
        _histograms = new long[connections][];
        _threads = new Thread[connections];
        _start = new Barrier(connections + 1);
        _end = new Barrier(connections + 1);
        for (var i = 0; i < connections; i++)
        {
            _sockets[i] = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            _sockets[i].Connect(server);
            _histograms[i] = new long[Buckets + 1];
            var index = i;
            _threads[i] = new Thread(() => Client(index)) { IsBackground = true, Name = $"socketmap-client-{i}" };
            _threads[i].Start();
        }
    }

    public int Connections => _sockets.Length;

    public int Failures => _failures;

    /// <summary>Sends <paramref name="requestsPerConnection"/> requests on every connection, one at a time, and waits for all replies.</summary>
    public void Run(int requestsPerConnection)
    {
        _requestsPerConnection = requestsPerConnection;
        _start.SignalAndWait();
        _end.SignalAndWait();
    }

    public void ResetLatencies()
    {
        foreach (var histogram in _histograms)
        {
            Array.Clear(histogram);
        }
    }

    /// <summary>The latency at <paramref name="percentile"/> over every request since the last reset, in microseconds.</summary>
    public double Percentile(double percentile)
    {
        long total = 0;
        var merged = new long[Buckets + 1];
        foreach (var histogram in _histograms)
        {
            for (var b = 0; b <= Buckets; b++)
            {
                merged[b] += histogram[b];
                total += histogram[b];
            }
        }

        var rank = (long)Math.Ceiling(total * percentile / 100.0);
        long seen = 0;
        for (var b = 0; b <= Buckets; b++)
        {
            seen += merged[b];
            if (seen >= rank && rank > 0)
            {
                return b;
            }
        }

        return double.NaN;
    }

    public void Dispose()
    {
        _stopping = true;
        _start.SignalAndWait(TimeSpan.FromSeconds(5));
        foreach (var socket in _sockets)
        {
            socket.Dispose();
        }

        _start.Dispose();
        _end.Dispose();
    }

    private void Client(int index)
    {
        var socket = _sockets[index];
        var histogram = _histograms[index];
        var reply = new byte[_replyLength];
        while (true)
        {
            _start.SignalAndWait();
            if (_stopping)
            {
                return;
            }

            for (var n = 0; n < _requestsPerConnection; n++)
            {
                var began = Stopwatch.GetTimestamp();
                socket.Send(_request);
                var got = 0;
                while (got < reply.Length)
                {
                    var read = socket.Receive(reply, got, reply.Length - got, SocketFlags.None);
                    if (read == 0)
                    {
                        Interlocked.Increment(ref _failures);
                        break;
                    }

                    got += read;
                }

                var micros = (long)Stopwatch.GetElapsedTime(began).TotalMicroseconds;
                histogram[Math.Min(micros, Buckets)]++;
            }

            _end.SignalAndWait();
        }
    }
}
