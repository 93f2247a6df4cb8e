namespace MtaSts.Caching;

/// <summary>
/// A read from the policy store did not answer: it timed out, the store threw, or the circuit breaker is open because
/// the store kept failing. Not "absent" (that is a <see langword="null"/> result): the stored policy is unknown, so
/// the caller must not treat the domain as having no stored policy, nor cache that conclusion.
/// </summary>
internal sealed class PolicyStoreUnavailableException : Exception
{
    public PolicyStoreUnavailableException()
    {
    }

    public PolicyStoreUnavailableException(string message)
        : base(message)
    {
    }

    public PolicyStoreUnavailableException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
