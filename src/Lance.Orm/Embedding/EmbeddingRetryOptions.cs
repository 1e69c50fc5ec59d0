using Microsoft.Extensions.Logging;

namespace Lance.Orm;

/// <summary>
/// How embedding calls are retried. LanceDB retries 7 times with exponential backoff; so do we, but
/// each wait is capped (<see cref="MaxDelay"/>) and a server's <c>Retry-After</c> is honoured.
/// </summary>
public sealed record EmbeddingRetryOptions
{
    /// <summary>The defaults: 7 retries, 1 s base delay doubling with jitter, at most 30 s per wait.</summary>
    public static EmbeddingRetryOptions Default { get; } = new();

    /// <summary>Retries after the first attempt (7 by default, as LanceDB); 0 disables retrying.</summary>
    public int MaxRetries { get; init; } = 7;

    /// <summary>The wait before the first retry; each later wait doubles it (with jitter).</summary>
    public TimeSpan BaseDelay { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>The longest wait between two attempts computed by the backoff (LanceDB has no cap).</summary>
    public TimeSpan MaxDelay { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>The longest <c>Retry-After</c> honoured; a server asking for more gets this much.</summary>
    public TimeSpan MaxRetryAfter { get; init; } = TimeSpan.FromMinutes(2);

    /// <summary>Whether waits are randomised (decorrelated jitter) so that clients do not retry in step.</summary>
    public bool UseJitter { get; init; } = true;

    /// <summary>The clock the waits run on; a fake one in tests makes retries instant.</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>Receives one warning per retry (attempt, wait and error); none by default.</summary>
    public ILogger? Logger { get; init; }
}
