namespace Lance.Storage.Cloud.Resilience;

/// <summary>
/// How an object store retries transient failures (5xx answers, throttling such as S3's
/// <c>SlowDown</c>, timeouts, connection resets): capped exponential backoff with jitter. The
/// storage options <c>client_max_retries</c> and <c>client_retry_timeout</c> set these as in LanceDB.
/// </summary>
public sealed record ObjectStoreRetryOptions
{
    /// <summary>Ten retries, from 100 ms doubling up to 5 s, at most 3 minutes in all (LanceDB's defaults).</summary>
    public static ObjectStoreRetryOptions Default { get; } = new();

    /// <summary>How many times a failed request is sent again; 0 disables retries.</summary>
    public int MaxRetries { get; init; } = 10;

    /// <summary>The delay before the first retry; each later one doubles it, with jitter.</summary>
    public TimeSpan BaseDelay { get; init; } = TimeSpan.FromMilliseconds(100);

    /// <summary>The longest delay between two attempts.</summary>
    public TimeSpan MaxDelay { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>No retry starts once this much time has passed since the first attempt.</summary>
    public TimeSpan TotalTimeout { get; init; } = TimeSpan.FromMinutes(3);

    /// <summary>The clock the delays run on; a fake one in tests.</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;
}
