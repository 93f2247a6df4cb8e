namespace MtaSts.MailKit.Internal;

/// <summary>Where the MX loop goes after one attempt at one address.</summary>
internal enum MxStep
{
    /// <summary>Try the host's next address, or the next host after its last.</summary>
    NextAddress = 0,

    /// <summary>Leave this host (its session was refused by the policy, FLOW-11) and try the next.</summary>
    NextHost = 1,

    /// <summary>Done: delivered, or failed for good.</summary>
    Stop = 2,
}
