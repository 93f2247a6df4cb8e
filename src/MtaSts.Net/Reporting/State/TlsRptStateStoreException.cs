namespace MtaSts.Reporting;

/// <summary>A state store failed part-way through <see cref="ITlsRptStateStore.AddAsync"/>: the first <see cref="Applied"/> entries are counted.</summary>
internal sealed class TlsRptStateStoreException : Exception
{
    public TlsRptStateStoreException(int applied, Exception inner)
        : base($"the TLS-RPT state store failed after {applied} entries: {inner.Message}", inner) => Applied = applied;

    public TlsRptStateStoreException()
    {
    }

    public TlsRptStateStoreException(string message)
        : base(message)
    {
    }

    public TlsRptStateStoreException(string message, Exception inner)
        : base(message, inner)
    {
    }

    /// <summary>How many entries the store counted before it failed.</summary>
    public int Applied { get; }
}
