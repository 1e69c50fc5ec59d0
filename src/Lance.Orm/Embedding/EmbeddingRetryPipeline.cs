using System.Net;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.Logging;
using Polly;
using Polly.Retry;

namespace Lance.Orm;

/// <summary>
/// The Polly pipeline every embedding call goes through: transient failures are retried with capped
/// exponential backoff and jitter, <c>Retry-After</c> is honoured, 401/403 are never retried, each
/// retry is logged, and giving up throws <see cref="EmbeddingException"/> carrying the last error.
/// </summary>
public sealed class EmbeddingRetryPipeline
{
    private static readonly Action<ILogger, string, int, int, double, string, Exception?> LogRetry =
        LoggerMessage.Define<string, int, int, double, string>(
            LogLevel.Warning,
            new EventId(1, "EmbeddingRetry"),
            "Embedding call {Operation} failed on attempt {Attempt} of {Attempts}; retrying in {DelayMs} ms: {Error}");

    private static readonly ResiliencePropertyKey<System.Diagnostics.Activity?> SpanKey = new("Lance.Orm.EmbeddingSpan");

    private readonly ResiliencePipeline _pipeline;
    private readonly EmbeddingRetryOptions _options;

    /// <summary>Builds the pipeline from <paramref name="options"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A negative retry count or delay.</exception>
    public EmbeddingRetryPipeline(EmbeddingRetryOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfNegative(options.MaxRetries, nameof(options));
        ArgumentOutOfRangeException.ThrowIfLessThan(options.BaseDelay, TimeSpan.Zero, nameof(options));
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxDelay, options.BaseDelay, nameof(options));
        _options = options;
        var builder = new ResiliencePipelineBuilder { TimeProvider = options.TimeProvider };
        if (options.MaxRetries > 0)
        {
            builder.AddRetry(new RetryStrategyOptions
            {
                MaxRetryAttempts = options.MaxRetries,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = options.UseJitter,
                Delay = options.BaseDelay,
                MaxDelay = options.MaxDelay,
                ShouldHandle = args => ValueTask.FromResult(args.Outcome.Exception is { } ex && IsTransient(ex, args.Context.CancellationToken)),
                DelayGenerator = args => ValueTask.FromResult(RetryAfter(args.Outcome.Exception)),
                OnRetry = args =>
                {
                    LanceTelemetry.Retried(args.Context.Properties.GetValue(SpanKey, null), args.AttemptNumber + 1, args.RetryDelay, args.Outcome.Exception);
                    if (_options.Logger is { } logger)
                    {
                        var operation = args.Context.OperationKey ?? "embedding";
                        LogRetry(logger, operation, args.AttemptNumber + 1, _options.MaxRetries + 1, args.RetryDelay.TotalMilliseconds,
                            args.Outcome.Exception?.Message ?? "unknown error", args.Outcome.Exception);
                    }

                    return default;
                },
            });
        }

        _pipeline = builder.Build();
    }

    /// <summary>A pipeline with the default options (7 retries, capped backoff, system clock, no logging).</summary>
    public static EmbeddingRetryPipeline Default { get; } = new(EmbeddingRetryOptions.Default);

    /// <summary>The options the pipeline was built from.</summary>
    public EmbeddingRetryOptions Options => _options;

    /// <summary>
    /// Runs <paramref name="call"/>, retrying transient failures. Cancellation is never retried.
    /// </summary>
    /// <param name="operation">Names the call in logs and errors (e.g. <c>openai on table 'docs'</c>).</param>
    /// <param name="call">The embedding call.</param>
    /// <param name="cancellationToken">Stops the call and any wait.</param>
    /// <exception cref="EmbeddingException">The call failed and will not be retried (any more); the last error is the inner exception.</exception>
    public async Task<TResult> ExecuteAsync<TResult>(string operation, Func<CancellationToken, Task<TResult>> call, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(operation);
        ArgumentNullException.ThrowIfNull(call);
        var context = ResilienceContextPool.Shared.Get(operation, cancellationToken);
        var attempts = new StrongBox<int>();
        using var activity = LanceTelemetry.StartEmbedding(operation);
        context.Properties.Set(SpanKey, activity);
        try
        {
            return await _pipeline.ExecuteAsync(
                static async (ctx, state) =>
                {
                    state.attempts.Value++;
                    return await state.call(ctx.CancellationToken).ConfigureAwait(false);
                },
                context,
                (call, attempts)).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (EmbeddingException ex) when (ex is not EmbeddingRequestException)
        {
            LanceTelemetry.EmbeddingFailed(activity, ex);
            throw; // the function's own diagnosis (bad configuration, missing weights) says it best
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            LanceTelemetry.EmbeddingFailed(activity, ex);
            var tried = attempts.Value == 1 ? "1 attempt" : $"{attempts.Value} attempts";
            var why = IsTransient(ex, cancellationToken) ? "giving up" : "not retried";
            throw new EmbeddingException($"Embedding call {operation} failed after {tried} ({why}): {ex.Message}", ex);
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }
    }

    /// <summary>Whether an error is worth retrying: a transient HTTP status or a network failure, never 401/403 or a bug.</summary>
    public static bool IsTransient(Exception exception, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(exception);
        return exception switch
        {
            EmbeddingRequestException request => request.IsTransient,
            HttpRequestException http => http.StatusCode is null or HttpStatusCode.RequestTimeout or HttpStatusCode.TooManyRequests or >= HttpStatusCode.InternalServerError,
            TaskCanceledException or TimeoutException => !cancellationToken.IsCancellationRequested, // an HttpClient timeout, not ours
            IOException => true,
            _ => false,
        };
    }

    private TimeSpan? RetryAfter(Exception? exception)
        => exception is EmbeddingRequestException { RetryAfter: { } wait }
            ? (wait > _options.MaxRetryAfter ? _options.MaxRetryAfter : wait < TimeSpan.Zero ? TimeSpan.Zero : wait)
            : null;
}
