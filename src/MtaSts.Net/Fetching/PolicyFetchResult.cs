namespace MtaSts.Fetching;

/// <summary>The outcome of one HTTPS policy fetch: the body text, or a typed failure.</summary>
internal readonly record struct PolicyFetchResult(string? Text, MtaStsFailure? Failure)
{
    public static PolicyFetchResult Success(string text) => new(text, null);

    public static PolicyFetchResult Fail(MtaStsFailureKind kind, string detail, string? reasonCode = null) => new(null, new MtaStsFailure(kind, detail, reasonCode));
}
