namespace MtaSts.MailKit.Delivery;

/// <summary>The outcome of delivering a message to one recipient domain.</summary>
public enum MtaStsDeliveryStatus
{
    /// <summary>An MX accepted the message.</summary>
    Delivered = 0,

    /// <summary>A temporary failure: queue the message and retry later (every MTA-STS refusal ends here, FLOW-7).</summary>
    Deferred = 1,

    /// <summary>A permanent failure: bounce (the domain does not exist, publishes a null MX, or an MX rejected the message with 5xx).</summary>
    Failed = 2,
}
