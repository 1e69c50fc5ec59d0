namespace Lance.Engine.Dataset;

/// <summary>
/// Runs an operation that reads the rows it changes (delete, update, merge-insert, compaction) and,
/// when its commit meets a concurrent change to those rows (<see cref="RetryableCommitConflictException"/>),
/// runs it again on the newest version after a short randomized pause, as Lance's writers do.
/// </summary>
internal static class ConflictRetry
{
    /// <summary>How many times an operation is run again after a retryable conflict (Lance's default).</summary>
    public const int Retries = 10;

    /// <summary>Runs <paramref name="operation"/>, calling <paramref name="refresh"/> before each new try.</summary>
    public static async Task<T> RunAsync<T>(Func<CancellationToken, Task<T>> operation, Func<CancellationToken, Task> refresh, CancellationToken cancellationToken)
    {
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                return await operation(cancellationToken).ConfigureAwait(false);
            }
            catch (RetryableCommitConflictException) when (attempt < Retries)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(Random.Shared.Next(5, 20 << Math.Min(attempt, 5))), cancellationToken).ConfigureAwait(false);
                await refresh(cancellationToken).ConfigureAwait(false);
            }
        }
    }
}
