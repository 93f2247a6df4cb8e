using System.Net;
using System.Security.Authentication;
using Polly;
using Polly.Retry;

namespace MtaSts.Fetching;

/// <summary>
/// The fetch stage's retry pipeline (Polly): a few attempts with exponential back-off and jitter for transient failures
/// (a transport error that is not a certificate failure, 408, 429, 5xx); no circuit breaker, which would be shared by
/// every recipient domain. Bounded by <see cref="MtaStsOptions.FetchRetries"/> and by the fetch's total timeout.
/// </summary>
internal static class FetchRetries
{
    /// <summary>The pipeline. The pause between attempts is real time, whatever clock the enforcer reads (a test clock
    /// that nobody advances must not hold a fetch forever); the fetch's total timeout bounds it either way.</summary>
    public static ResiliencePipeline<HttpResponseMessage> Create(int retries)
    {
        if (retries <= 0)
        {
            return ResiliencePipeline<HttpResponseMessage>.Empty;
        }

        return new ResiliencePipelineBuilder<HttpResponseMessage>()
            .AddRetry(new RetryStrategyOptions<HttpResponseMessage>
            {
                MaxRetryAttempts = retries,
                Delay = TimeSpan.FromMilliseconds(500),
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                ShouldHandle = args => ValueTask.FromResult(IsTransient(args.Outcome)),
            })
            .Build();
    }

    /// <summary>Transient: worth asking again within the same fetch.</summary>
    internal static bool IsTransient(Outcome<HttpResponseMessage> outcome) => outcome switch
    {
        { Exception: { } ex } when PolicyHostCertificateCheck.TryFind(ex, out _) => false, // FETCH-2: never retried
        { Exception: HttpRequestException { InnerException: AuthenticationException } } => false,
        { Exception: HttpRequestException { HttpRequestError: HttpRequestError.NameResolutionError } } => false, // no policy host: asking again won't help
        { Exception: HttpRequestException } => true,
        { Result: { } response } => response.StatusCode is HttpStatusCode.RequestTimeout or HttpStatusCode.TooManyRequests || (int)response.StatusCode >= 500,
        _ => false,
    };
}
