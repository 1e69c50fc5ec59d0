using System.Net.Sockets;
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

    private readonly ResiliencePipeline _pipeline;
    private readonly Func<Exception, FailureKind> _classify;
    private readonly Func<Exception, (int? Status, string? Code)> _describe;

    public RemoteCalls(string location, ObjectStoreRetryOptions retry, Func<Exception, FailureKind> classify, Func<Exception, (int? Status, string? Code)> describe)
    {
        Location = location;
        _classify = classify;
        _describe = describe;
        var builder = new ResiliencePipelineBuilder { TimeProvider = retry.TimeProvider };
        if (retry.MaxRetries > 0)
        {
            builder.AddRetry(new RetryStrategyOptions
            {
                MaxRetryAttempts = retry.MaxRetries,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = retry.BaseDelay,
                MaxDelay = retry.MaxDelay,
                ShouldHandle = args => ValueTask.FromResult(
                    args.Outcome.Exception is { } e && !args.Context.CancellationToken.IsCancellationRequested && IsTransient(e)),
                OnRetry = _ =>
                {
                    Statistics.Retry();
                    return ValueTask.CompletedTask;
                },
            });
        }

        TotalTimeout = retry.TotalTimeout;
        TimeProvider = retry.TimeProvider;
        _pipeline = builder.Build();
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
    /// </remarks>
    public async ValueTask<T> RunAsync<T>(string operation, string key, Func<int, CancellationToken, ValueTask<T>> call, CancellationToken cancellationToken)
        where T : class?
    {
        var attempt = 0;
        var started = TimeProvider.GetTimestamp();
        try
        {
            return await _pipeline.ExecuteAsync(
                async token =>
                {
                    attempt++;
                    Statistics.Request(operation);
                    if (attempt > 1 && TimeProvider.GetElapsedTime(started) > TotalTimeout)
                    {
                        throw new TimeoutException($"Gave up retrying after {TotalTimeout}.");
                    }

                    Statistics.Started();
                    try
                    {
                        return await call(attempt, token).ConfigureAwait(false);
                    }
                    finally
                    {
                        Statistics.Finished();
                    }
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
