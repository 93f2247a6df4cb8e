using System.Net.Sockets;

namespace MtaSts.Testing;

/// <summary>A loopback server whose accept or receive loop runs in the background until it is disposed.</summary>
public abstract class BackgroundServer : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private Task _running = Task.CompletedTask;

    /// <summary>Starts the loop; it gets a token cancelled on dispose.</summary>
    protected void Run(Func<CancellationToken, Task> loop) => _running = loop(_stop.Token);

    /// <summary>Closes the listening socket, after the token was cancelled.</summary>
    protected abstract void CloseListener();

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        CloseListener();
        try
        {
            await _running.ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
        {
            // Stopped.
        }

        _stop.Dispose();
        GC.SuppressFinalize(this);
    }
}
