using MtaSts;

namespace MtaSts.Worker;

/// <summary>Asks MTA-STS, for each queued message, whether its MX may be used; a refusal is a temporary failure.</summary>
public sealed partial class DeliveryWorker(OutboundMessages queue, IMtaStsEnforcer enforcer, DeliveryTally tally, ILogger<DeliveryWorker> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await foreach (var message in queue.ReadAllAsync(stoppingToken))
        {
            var state = await enforcer.GetPolicyAsync(message.RecipientDomain, stoppingToken);
            var decision = state.EvaluateMx(message.MxHost);
            if (decision.MayDeliver)
            {
                tally.Allow();
                LogMayDeliver(message.Id, message.MxHost, state.Mode, decision.Verdict);
            }
            else
            {
                tally.Refuse();
                LogDeferred(message.Id, message.MxHost, decision.Failure?.ToString()); // requeue: retry later, never bounce
            }
        }
    }

    [LoggerMessage(1, LogLevel.Information, "{Id}: may deliver to {MxHost} (mode {Mode}, {Verdict})")]
    private partial void LogMayDeliver(string id, string mxHost, MtaStsMode mode, MtaStsVerdict verdict);

    [LoggerMessage(2, LogLevel.Warning, "{Id}: deferred, MTA-STS refuses {MxHost}: {Failure}")]
    private partial void LogDeferred(string id, string mxHost, string? failure);
}

/// <summary>How many messages were allowed and refused (the offline demo checks them).</summary>
public sealed class DeliveryTally
{
    private int _allowed;
    private int _refused;

    public int Allowed => Volatile.Read(ref _allowed);

    public int Refused => Volatile.Read(ref _refused);

    public void Allow() => Interlocked.Increment(ref _allowed);

    public void Refuse() => Interlocked.Increment(ref _refused);
}
