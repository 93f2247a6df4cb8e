using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace MtaSts.Tool.Tests.Postfix;

/// <summary>Keeps every formatted log line of the daemon (with its exception's type and message), to see what Postfix asked.</summary>
internal sealed class CapturedLog : ILoggerProvider
{
    public ConcurrentQueue<string> Lines { get; } = new();

    public ILogger CreateLogger(string categoryName) => new Logger(this);

    public void Dispose()
    {
    }

    private sealed class Logger(CapturedLog owner) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            owner.Lines.Enqueue(exception is null ? formatter(state, exception) : $"{formatter(state, exception)} [{exception.GetType().Name}: {exception.Message}]");
    }
}
