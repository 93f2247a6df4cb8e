namespace MtaSts.Tool.Cli;

/// <summary>
/// Progress on stderr, only for steps slower than a second: a step says what it waits for if it is still running
/// after one second, and nothing otherwise, so fast runs stay quiet and stdout stays one document.
/// </summary>
internal sealed class Progress(TextWriter errors)
{
    private static readonly TimeSpan Threshold = TimeSpan.FromSeconds(1);
    private readonly Lock _gate = new();

    public IDisposable Step(string what) => new Pending(this, what);

    private void Write(string line)
    {
        lock (_gate)
        {
            errors.WriteLine(line);
        }
    }

    private sealed class Pending : IDisposable
    {
        private readonly CancellationTokenSource _done = new();

        public Pending(Progress owner, string what) =>
            _ = Task.Delay(Threshold, _done.Token).ContinueWith(
                t =>
                {
                    if (!t.IsCanceled)
                    {
                        owner.Write($"... {what}");
                    }
                },
                CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);

        public void Dispose()
        {
            _done.Cancel();
            _done.Dispose();
        }
    }
}
