namespace Lance.Orm;

/// <summary>
/// A remote embedding service refused or failed a request. Carries what the retry policy needs:
/// the HTTP status, whether the failure is worth retrying and the server's <c>Retry-After</c>.
/// </summary>
public class EmbeddingRequestException : EmbeddingException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">What failed, naming the service and the status.</param>
    /// <param name="statusCode">The HTTP status, or null when no response came.</param>
    /// <param name="retryAfter">The wait the server asked for, if any.</param>
    /// <param name="innerException">The underlying error, if any.</param>
    public EmbeddingRequestException(string message, int? statusCode, TimeSpan? retryAfter = null, Exception? innerException = null)
        : base(message, innerException)
    {
        StatusCode = statusCode;
        RetryAfter = retryAfter;
    }

    /// <summary>The HTTP status, or null when no response came (a network error).</summary>
    public int? StatusCode { get; }

    /// <summary>The wait the server asked for with <c>Retry-After</c>, if any.</summary>
    public TimeSpan? RetryAfter { get; }

    /// <summary>
    /// Whether retrying may help: no response, 408, 409, 429 and 5xx are transient; 401 and 403 (a bad
    /// or unauthorised key) and every other 4xx are not.
    /// </summary>
    public bool IsTransient => StatusCode is null or 408 or 409 or 429 or >= 500;
}
