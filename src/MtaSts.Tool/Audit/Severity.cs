namespace MtaSts.Tool.Audit;

/// <summary>How much a finding matters. JSON and text show it in lower case.</summary>
internal enum Severity
{
    /// <summary>Worth knowing; nothing to fix.</summary>
    Info,

    /// <summary>Works, but weaker than it should be, or accepted only by tolerant senders.</summary>
    Warning,

    /// <summary>Senders will not apply the policy as meant, or will defer mail.</summary>
    Error,
}
