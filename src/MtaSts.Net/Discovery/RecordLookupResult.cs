namespace MtaSts.Discovery;

/// <summary>The outcome of looking up and selecting the <c>_mta-sts</c> record.</summary>
internal readonly record struct RecordLookupResult(RecordLookupStatus Status, MtaStsRecord? Record, TimeSpan TimeToLive, string? Detail);
