using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace MtaSts.Tool.Postfix;

/// <summary>
/// The listeners (TCP and Unix sockets) and their connections. Listening starts in <see cref="StartAsync"/>, so a
/// port in use stops the host at start; at most <see cref="PostfixDaemonSettings.MaxConnections"/> connections are
/// served at once: a connection beyond them gets one <c>TEMP</c> reply and is closed at once (logged, at most every
/// 10 s with a count). A failing accept (out of file descriptors) is logged and retried after 100 ms, doubling up to
/// 1 s, instead of spinning. A connection that ends with an unexpected exception is logged with it.
/// <see cref="StopAsync"/> closes the listeners, lets answers in progress finish, closes idle connections, and waits at
/// most <see cref="PostfixDaemonSettings.ShutdownTimeout"/>.
/// </summary>
internal sealed partial class SocketmapServer : IHostedService, IDisposable
{
    private static readonly TimeSpan FirstAcceptRetryDelay = TimeSpan.FromMilliseconds(100); // doubles after each failure in a row
    private static readonly TimeSpan MaxAcceptRetryDelay = TimeSpan.FromSeconds(1);
    private const long RefusalLogIntervalMs = 10_000;

    private readonly SocketmapResponder _responder;
    private readonly PostfixDaemonSettings _settings;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _slots;
    private readonly CancellationTokenSource _stopping = new();
    private readonly List<(ListenAddress Address, Socket Socket)> _listeners = [];
    private readonly ConcurrentDictionary<Task, byte> _connections = new();
    private readonly List<Task> _acceptLoops = [];
    private readonly byte[] _busy;
    private long _refused;
    private long _refusalLoggedAt = -RefusalLogIntervalMs; // Environment.TickCount64 of the last report

    public SocketmapServer(SocketmapResponder responder, PostfixDaemonSettings settings, ILogger<SocketmapServer> logger)
    {
        _responder = responder;
        _settings = settings;
        _logger = logger;
        _slots = new SemaphoreSlim(settings.MaxConnections, settings.MaxConnections);
        _busy = Netstring.Encode(SocketmapReply.Temp(
            string.Create(CultureInfo.InvariantCulture, $"the MTA-STS daemon is serving all {settings.MaxConnections} connections it allows")));
    }


    /// <summary>The addresses bound (with the port chosen by the system for <c>inet:…:0</c>).</summary>
    public IReadOnlyList<EndPoint> EndPoints => [.. _listeners.Select(l => l.Socket.LocalEndPoint!)];

    /// <summary>The listening sockets, for tests that make accepting fail.</summary>
    internal IReadOnlyList<Socket> Listeners => [.. _listeners.Select(l => l.Socket)];

    public Task StartAsync(CancellationToken cancellationToken)
    {
        foreach (var address in _settings.Listen)
        {
            var socket = Bind(address);
            _listeners.Add((address, socket));
            var shown = socket.LocalEndPoint?.ToString() ?? address.Text;
            LogListening(_logger, shown);
        }

        foreach (var (address, socket) in _listeners)
        {
            _acceptLoops.Add(AcceptLoopAsync(address, socket, _stopping.Token));
        }

        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        foreach (var (address, socket) in _listeners)
        {
            socket.Dispose();
            if (address.IsUnix)
            {
                TryDeleteSocketFile(address);
            }
        }

        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(_settings.ShutdownTimeout);
        try
        {
            await Task.WhenAll([.. _acceptLoops, .. _connections.Keys]).WaitAsync(limit.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            LogShutdownTimedOut(_logger, _connections.Count);
        }

        LogStopped(_logger);
    }

    public void Dispose()
    {
        _stopping.Dispose();
        _slots.Dispose();
    }

    private Socket Bind(ListenAddress address)
    {
        if (address.IsUnix)
        {
            TryDeleteSocketFile(address); // a socket left behind by a crash
            var unix = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            try
            {
                unix.Bind(address.EndPoint);
                if (!OperatingSystem.IsWindows())
                {
                    File.SetUnixFileMode(address.Text[5..], _settings.UnixSocketMode);
                }

                unix.Listen(_settings.MaxConnections);
                return unix;
            }
            catch
            {
                unix.Dispose();
                throw;
            }
        }

        var ip = (IPEndPoint)address.EndPoint;
        var tcp = new Socket(ip.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            tcp.Bind(ip);
            tcp.Listen(_settings.MaxConnections);
            return tcp;
        }
        catch
        {
            tcp.Dispose();
            throw;
        }
    }

    private async Task AcceptLoopAsync(ListenAddress address, Socket listener, CancellationToken stopping)
    {
        var retryDelay = FirstAcceptRetryDelay;
        while (!stopping.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await listener.AcceptAsync(stopping).ConfigureAwait(false);
                retryDelay = FirstAcceptRetryDelay;
            }
            catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                if (stopping.IsCancellationRequested)
                {
                    return;
                }

                // EMFILE, ENFILE, ENOBUFS: the pending connection stays in the backlog and the next accept fails at once.
                LogAcceptFailed(_logger, address.Text, ex.Message, retryDelay.TotalMilliseconds);
                try
                {
                    await Task.Delay(retryDelay, stopping).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }

                retryDelay = TimeSpan.FromTicks(Math.Min(retryDelay.Ticks * 2, MaxAcceptRetryDelay.Ticks));
                continue;
            }

            // Never waits: a listener waiting for a slot would leave every later client in the backlog, without an answer.
            if (!_slots.Wait(0, CancellationToken.None))
            {
                Refuse(address, client);
                continue;
            }

            if (!address.IsUnix)
            {
                client.NoDelay = true; // one small reply per request: never wait for Nagle
            }

            var connection = ServeAsync(client, stopping);
            _connections.TryAdd(connection, 0);
            _ = connection.ContinueWith(static (t, state) => ((ConcurrentDictionary<Task, byte>)state!).TryRemove(t, out _),
                _connections, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        }
    }

    // Every slot is taken: one TEMP reply (Postfix defers the lookup and logs the reason), then close. The reply fits in
    // a fresh socket's send buffer, so the send does not wait.
    private void Refuse(ListenAddress address, Socket client)
    {
        var refused = Interlocked.Increment(ref _refused);
        var now = Environment.TickCount64;
        var last = Interlocked.Read(ref _refusalLoggedAt);
        if (now - last >= RefusalLogIntervalMs && Interlocked.CompareExchange(ref _refusalLoggedAt, now, last) == last)
        {
            LogConnectionRefused(_logger, address.Text, _settings.MaxConnections, Interlocked.Exchange(ref _refused, 0));
        }

        try
        {
            client.Blocking = false;
            client.Send(_busy, SocketFlags.None, out _);
            client.Shutdown(SocketShutdown.Send);
        }
        catch (SocketException)
        {
            // The client went away already.
        }
        finally
        {
            client.Dispose();
        }
    }

    private async Task ServeAsync(Socket client, CancellationToken stopping)
    {
        await Task.Yield(); // off the accept loop
        try
        {
            var ending = await SocketmapConnection.RunAsync(client, _responder, _settings, stopping).ConfigureAwait(false);
            if (ending is SocketmapConnection.Ending.Malformed or SocketmapConnection.Ending.TooLarge)
            {
                LogBadClient(_logger, ending);
            }
        }
#pragma warning disable CA1031 // one connection's failure is logged and ends that connection only
        catch (Exception ex)
#pragma warning restore CA1031
        {
            LogConnectionFailed(_logger, ex);
        }
        finally
        {
            _slots.Release();
        }
    }

    private static void TryDeleteSocketFile(ListenAddress address)
    {
        var path = address.Text[5..];
        try
        {
            if (File.Exists(path) && (File.GetAttributes(path) & FileAttributes.Directory) == 0)
            {
                File.Delete(path);
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Bind reports what is wrong.
        }
    }

    [LoggerMessage(EventId = 1210, EventName = "Listening", Level = LogLevel.Information, Message = "socketmap listening on {Address}")]
    private static partial void LogListening(ILogger logger, string address);

    [LoggerMessage(EventId = 1211, EventName = "AcceptFailed", Level = LogLevel.Warning,
        Message = "accept on {Address} failed: {Error}; retrying in {DelayMs} ms")]
    private static partial void LogAcceptFailed(ILogger logger, string address, string error, double delayMs);

    [LoggerMessage(EventId = 1212, EventName = "BadClient", Level = LogLevel.Warning, Message = "socketmap connection closed: {Ending} netstring")]
    private static partial void LogBadClient(ILogger logger, SocketmapConnection.Ending ending);

    [LoggerMessage(EventId = 1213, EventName = "ShutdownTimedOut", Level = LogLevel.Warning,
        Message = "{Count} socketmap connections still open after the shutdown timeout; closing them")]
    private static partial void LogShutdownTimedOut(ILogger logger, int count);

    [LoggerMessage(EventId = 1215, EventName = "ConnectionRefused", Level = LogLevel.Warning,
        Message = "socketmap connection on {Address} refused with TEMP: all {Max} connections are in use ({Count} refused since the last report)")]
    private static partial void LogConnectionRefused(ILogger logger, string address, int max, long count);

    [LoggerMessage(EventId = 1216, EventName = "ConnectionFailed", Level = LogLevel.Error, Message = "socketmap connection failed and was closed")]
    private static partial void LogConnectionFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 1214, EventName = "Stopped", Level = LogLevel.Information, Message = "socketmap daemon stopped")]
    private static partial void LogStopped(ILogger logger);
}
