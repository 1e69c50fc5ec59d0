using System.Net.Sockets;
using System.Runtime.ExceptionServices;
using Polly;
using Polly.Retry;

namespace Lance.Storage.Cloud.Resilience;

/// <summary>
/// Runs each request of a store through one Polly retry pipeline, counts it, and turns what finally
/// fails into a typed exception that names the store by its location (never its credentials).
/// </summary>
internal sealed class RemoteCalls
{
    /// <summary>A boxed true, answered by calls that answer yes.</summary>
    internal static readonly object Yes = true;

    /// <summary>A boxed false, answered by calls that answer no.</summary>
    internal static readonly object No = false;

    private readonly ObjectStoreRetryOptions _retry;
    private ResiliencePipeline? _pipeline;
    private readonly Func<Exception, FailureKind> _classify;
    private readonly Func<Exception, (int? Status, string? Code)> _describe;

    public RemoteCalls(string location, ObjectStoreRetryOptions retry, Func<Exception, FailureKind> classify, Func<Exception, (int? Status, string? Code)> describe)
    {
        Location = location;
        _classify = classify;
        _describe = describe;
        // Checked here, where the store is made, although the pipeline that uses them is built only on a first failure.
        ArgumentOutOfRangeException.ThrowIfLessThan(retry.BaseDelay, TimeSpan.Zero, nameof(retry));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(retry.BaseDelay, TimeSpan.FromDays(1), nameof(retry));
        ArgumentOutOfRangeException.ThrowIfLessThan(retry.MaxDelay, TimeSpan.Zero, nameof(retry));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(retry.MaxDelay, TimeSpan.FromDays(1), nameof(retry));
        _retry = retry;
        TotalTimeout = retry.TotalTimeout;
        TimeProvider = retry.TimeProvider;
    }

    /// <summary>The store's location, without credentials.</summary>
    public string Location { get; }

    /// <summary>The counters of every request made through this.</summary>
    public ObjectStoreStatistics Statistics { get; } = new();

    private TimeSpan TotalTimeout { get; }

    private TimeProvider TimeProvider { get; }

    /// <summary>
    /// Runs <paramref name="call"/> (given the attempt number, from 1) until it succeeds, fails for
    /// good, or the retries run out.
    /// </summary>
    /// <remarks>
    /// The answer is a reference type (calls with none answer null, a yes or no is boxed) so that every
    /// call shares one compiled copy of this and of Polly's generic code: a process compiles code for
    /// each value type it is used with, and on a fresh process's first requests that is on the critical path.
    /// For the same reason the first attempt runs outside the retry pipeline, which is built and entered
    /// only once an attempt has failed in a way worth retrying.
    /// </remarks>
    public async ValueTask<T> RunAsync<T>(string operation, string key, Func<int, CancellationToken, ValueTask<T>> call, CancellationToken cancellationToken)
        where T : class?
    {
        var attempt = 0;
        var started = TimeProvider.GetTimestamp();
        try
        {
            ExceptionDispatchInfo? failed;
            try
            {
                attempt++;
                return await AttemptAsync(operation, call, attempt, started, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (_retry.MaxRetries > 0 && ShouldRetry(e, cancellationToken))
            {
                failed = ExceptionDispatchInfo.Capture(e);
            }

            // The retries, through the pipeline: its first execution hands it the first attempt's failure again
            // (no request), so that it schedules every retry, backoff and jitter from the first as it always did.
            return await Pipeline.ExecuteAsync(
                async token =>
                {
                    if (Interlocked.Exchange(ref failed, null) is { } first)
                    {
                        first.Throw();
                    }

                    attempt++;
                    return await AttemptAsync(operation, call, attempt, started, token).ConfigureAwait(false);
                },
                cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception e) when (e is not FileNotFoundException and not ObjectStoreException and not NotSupportedException and not EndOfStreamException and not ArgumentException)
        {
            var (status, code) = _describe(e);
            throw new ObjectStoreException(operation, Location, key, status, code, attempt, e);
        }
    }

    // One request: counted, and refused once the retries have run past the total timeout.
    private async ValueTask<T> AttemptAsync<T>(string operation, Func<int, CancellationToken, ValueTask<T>> call, int attempt, long started, CancellationToken cancellationToken)
        where T : class?
    {
        Statistics.Request(operation);
        if (attempt > 1 && TimeProvider.GetElapsedTime(started) > TotalTimeout)
        {
            throw new TimeoutException($"Gave up retrying after {TotalTimeout}.");
        }

        Statistics.Started();
        try
        {
            return await call(attempt, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            Statistics.Finished();
        }
    }

    /// <summary>
    /// The retry pipeline, built when a request first fails in a way worth retrying: most stores never
    /// need it, and building one (its options are validated by reflection) takes tens of milliseconds of
    /// a fresh process's first request. Two threads may both build one; either serves.
    /// </summary>
    private ResiliencePipeline Pipeline => Volatile.Read(ref _pipeline) ?? BuildPipeline();

    private ResiliencePipeline BuildPipeline()
    {
        var builder = new ResiliencePipelineBuilder { TimeProvider = _retry.TimeProvider };
        builder.AddRetry(new RetryStrategyOptions
        {
            MaxRetryAttempts = _retry.MaxRetries,
            BackoffType = DelayBackoffType.Exponential,
            UseJitter = true,
            Delay = _retry.BaseDelay,
            MaxDelay = _retry.MaxDelay,
            ShouldHandle = args => ValueTask.FromResult(args.Outcome.Exception is { } e && ShouldRetry(e, args.Context.CancellationToken)),
            OnRetry = _ =>
            {
                Statistics.Retry();
                return ValueTask.CompletedTask;
            },
        });
        var pipeline = builder.Build();
        return Interlocked.CompareExchange(ref _pipeline, pipeline, null) ?? pipeline;
    }

    private bool ShouldRetry(Exception e, CancellationToken cancellationToken) => !cancellationToken.IsCancellationRequested && IsTransient(e);

    private bool IsTransient(Exception e) => _classify(e) switch
    {
        FailureKind.Transient => true,
        FailureKind.Permanent => false,
        _ => IsNetworkFailure(e),
    };

    /// <summary>A failure of the connection rather than an answer: a reset, a refused or timed-out connection.</summary>
    internal static bool IsNetworkFailure(Exception? e)
    {
        for (var current = e; current is not null; current = current.InnerException)
        {
            switch (current)
            {
                case HttpRequestException or SocketException or TimeoutException:
                case IOException and not FileNotFoundException and not EndOfStreamException and not ObjectStoreException:
                case TaskCanceledException or OperationCanceledException:
                    return true;
            }
        }

        return false;
    }
}
