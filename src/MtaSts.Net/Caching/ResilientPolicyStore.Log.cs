using Microsoft.Extensions.Logging;

namespace MtaSts.Caching;

// Event ids 42x: the resilient store (4xx cache).
internal sealed partial class ResilientPolicyStore
{
    [LoggerMessage(420, LogLevel.Warning, "The MTA-STS policy store keeps failing; it is bypassed for {BreakSeconds} s: {Reason}", EventName = "StoreBreakerOpened")]
    private partial void LogBreakerOpened(double breakSeconds, string reason);

    [LoggerMessage(421, LogLevel.Information, "The MTA-STS policy store answers again", EventName = "StoreBreakerClosed")]
    private partial void LogBreakerClosed();

    [LoggerMessage(422, LogLevel.Debug, "Writing the MTA-STS policy of {Domain} to the store failed: {Reason}", EventName = "StoreWriteFailed")]
    private partial void LogWriteFailed(string domain, string reason);

    [LoggerMessage(423, LogLevel.Debug, "Not writing the MTA-STS policy of {Domain} to the store: {Reason}", EventName = "StoreWriteDropped")]
    private partial void LogWriteDropped(string domain, string reason);

    [LoggerMessage(424, LogLevel.Warning, "Shutting down with {Pending} MTA-STS store write(s) still queued after {Seconds} s; they are dropped", EventName = "StoreDrainAbandoned")]
    private partial void LogDrainAbandoned(int pending, double seconds);
}
