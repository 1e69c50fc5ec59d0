using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Runtime.CompilerServices;

namespace Lance.Orm;

/// <summary>
/// Lance.Orm's OpenTelemetry signals: an <see cref="ActivitySource"/> and a <see cref="Meter"/>, both
/// named <see cref="Name"/> (<c>"Lance.Orm"</c>). Subscribe with OpenTelemetry's
/// <c>AddSource("Lance.Orm")</c> and <c>AddMeter("Lance.Orm")</c>, or any <see cref="ActivityListener"/>
/// and <see cref="MeterListener"/>. Spans follow the database client conventions
/// (<c>db.system.name</c> = <c>lancedb</c>, <c>db.collection.name</c>, <c>db.operation.name</c>,
/// <c>db.namespace</c>): <c>search</c> (with <c>lance.query.type</c> <c>vector</c>, <c>fts</c> or <c>hybrid</c>), <c>query</c>, <c>add</c>, <c>merge_insert</c>, <c>create_index</c>,
/// <c>commit</c> (from the engine) and <c>embed</c> (each embedding call, its retries as <c>retry</c>
/// events). Metrics: <c>lance.orm.rows.written</c>, <c>db.client.operation.duration</c> (searches and
/// queries, seconds), <c>lance.orm.embedding.calls</c>/<c>.retries</c>/<c>.failures</c> and the observable
/// <c>lance.orm.cache.size</c> (bytes of decoded columns open tables hold). Nothing is measured, timed
/// or allocated for these while nobody listens.
/// </summary>
public static class LanceTelemetry
{
    /// <summary>The name of the activity source and of the meter: <c>"Lance.Orm"</c>.</summary>
    public const string Name = "Lance.Orm";

    /// <summary>The <c>db.system.name</c> of every span and measurement.</summary>
    public const string DbSystem = "lancedb";

    private static readonly string? Version = typeof(LanceTelemetry).Assembly.GetName().Version?.ToString();
    private static readonly ConditionalWeakTable<Table, object?> OpenTables = new();

    internal static readonly ActivitySource Source = new(Name, Version);

    internal static readonly Meter Meter = new(Name, Version);

    internal static readonly Counter<long> RowsWritten = Meter.CreateCounter<long>(
        "lance.orm.rows.written", "{row}", "Rows written to tables by adds and merge-inserts.");

    internal static readonly Histogram<double> OperationDuration = Meter.CreateHistogram(
        "db.client.operation.duration", "s", "Duration of searches and plain queries, until their last row was read.",
        tags: null,
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10] });

    internal static readonly Counter<long> EmbeddingCalls = Meter.CreateCounter<long>(
        "lance.orm.embedding.calls", "{call}", "Embedding calls (each may be attempted several times).");

    internal static readonly Counter<long> EmbeddingRetries = Meter.CreateCounter<long>(
        "lance.orm.embedding.retries", "{retry}", "Embedding attempts retried after a transient failure.");

    internal static readonly Counter<long> EmbeddingFailures = Meter.CreateCounter<long>(
        "lance.orm.embedding.failures", "{call}", "Embedding calls that failed for good (after their retries).");

    internal static readonly ObservableGauge<long> CacheSize = Meter.CreateObservableGauge(
        "lance.orm.cache.size", ObserveCacheSize, "By", "Bytes of decoded columns the open tables keep in memory.");

    /// <summary>Remembers an open table for the cache gauge (weakly: a table nobody holds is not kept alive).</summary>
    internal static void Track(Table table) => OpenTables.AddOrUpdate(table, null);

    internal static void Untrack(Table table) => OpenTables.Remove(table);

    /// <summary>Starts a client span <c>"{operation} {table}"</c> with the database conventions' tags; null when nobody listens.</summary>
    internal static Activity? Start(string operation, Table table)
    {
        if (!Source.HasListeners())
        {
            return null;
        }

        var activity = Source.StartActivity($"{operation} {table.Name}", ActivityKind.Client);
        if (activity is { IsAllDataRequested: true })
        {
            activity.SetTag("db.system.name", DbSystem);
            activity.SetTag("db.collection.name", table.Name);
            activity.SetTag("db.operation.name", operation);
            activity.SetTag("db.namespace", table.Database.Uri);
        }

        return activity;
    }

    /// <summary>Marks a span failed with the exception's type, as the conventions ask (<c>error.type</c>).</summary>
    internal static void Fail(Activity? activity, Exception exception)
    {
        if (activity is null)
        {
            return;
        }

        activity.SetStatus(ActivityStatusCode.Error, exception.Message);
        activity.SetTag("error.type", exception.GetType().FullName);
    }

    /// <summary>Counts rows written to <paramref name="table"/> by <paramref name="operation"/>.</summary>
    internal static void Written(Table table, string operation, long rows, Activity? activity)
    {
        activity?.SetTag("lance.rows_written", rows);
        if (RowsWritten.Enabled && rows > 0)
        {
            RowsWritten.Add(rows, new KeyValuePair<string, object?>("db.system.name", DbSystem),
                new KeyValuePair<string, object?>("db.collection.name", table.Name), new KeyValuePair<string, object?>("db.operation.name", operation));
        }
    }

    /// <summary>Records how long a search or query took (from <see cref="Stopwatch.GetTimestamp"/> at <paramref name="started"/>).</summary>
    internal static void Duration(Table table, string operation, long started, Exception? error)
    {
        if (!OperationDuration.Enabled || started == 0)
        {
            return;
        }

        var tags = new TagList
        {
            { "db.system.name", DbSystem },
            { "db.collection.name", table.Name },
            { "db.operation.name", operation },
        };
        if (error is not null)
        {
            tags.Add("error.type", error.GetType().FullName);
        }

        OperationDuration.Record(Stopwatch.GetElapsedTime(started).TotalSeconds, tags);
    }

    /// <summary>Whether an operation on a table is observed at all (a span or a rows-written listener).</summary>
    internal static bool Observed(Activity? activity) => activity is not null || RowsWritten.Enabled;

    /// <summary>Runs a write or index build inside a span <c>"{operation} {table}"</c>, marking it failed on an error.</summary>
    internal static async Task<TResult> TraceAsync<TResult>(Table table, string operation, Func<Task<TResult>> run)
    {
        using var activity = Start(operation, table);
        try
        {
            return await run().ConfigureAwait(false);
        }
        catch (Exception e)
        {
            Fail(activity, e);
            throw;
        }
    }

    /// <summary>Runs a merge-insert inside a span; counts the rows it inserted and updated as written.</summary>
    internal static async Task<MergeInsertResult> MergeAsync(Table table, Func<Task<MergeInsertResult>> merge)
    {
        using var activity = Start("merge_insert", table);
        try
        {
            var result = await merge().ConfigureAwait(false);
            if (activity is { IsAllDataRequested: true })
            {
                activity.SetTag("lance.merge.inserted", result.Inserted);
                activity.SetTag("lance.merge.updated", result.Updated);
                activity.SetTag("lance.merge.deleted", result.Deleted);
            }

            Written(table, "merge_insert", result.Inserted + result.Updated, activity);
            return result;
        }
        catch (Exception e)
        {
            Fail(activity, e);
            throw;
        }
    }

    /// <summary>Starts the span of one embedding call (all its attempts) and counts the call; null when nobody listens to spans.</summary>
    internal static Activity? StartEmbedding(string operation)
    {
        if (EmbeddingCalls.Enabled)
        {
            EmbeddingCalls.Add(1, new KeyValuePair<string, object?>("db.system.name", DbSystem));
        }

        if (!Source.HasListeners())
        {
            return null;
        }

        var activity = Source.StartActivity("embed", ActivityKind.Internal);
        if (activity is { IsAllDataRequested: true })
        {
            activity.SetTag("db.system.name", DbSystem);
            activity.SetTag("lance.embedding.operation", operation);
        }

        return activity;
    }

    /// <summary>Records a retry of an embedding call: an event on its span, and the retries counter.</summary>
    internal static void Retried(Activity? activity, int attempt, TimeSpan delay, Exception? error)
    {
        if (EmbeddingRetries.Enabled)
        {
            EmbeddingRetries.Add(1, new KeyValuePair<string, object?>("db.system.name", DbSystem));
        }

        activity?.AddEvent(new ActivityEvent("retry", tags: new ActivityTagsCollection
        {
            ["lance.retry.attempt"] = attempt,
            ["lance.retry.delay_ms"] = delay.TotalMilliseconds,
            ["error.type"] = error?.GetType().FullName,
            ["exception.message"] = error?.Message,
        }));
    }

    /// <summary>Records an embedding call that failed for good.</summary>
    internal static void EmbeddingFailed(Activity? activity, Exception error)
    {
        if (EmbeddingFailures.Enabled)
        {
            EmbeddingFailures.Add(1, new KeyValuePair<string, object?>("db.system.name", DbSystem), new KeyValuePair<string, object?>("error.type", error.GetType().FullName));
        }

        Fail(activity, error);
    }

    private static IEnumerable<Measurement<long>> ObserveCacheSize()
    {
        long total = 0;
        foreach (var (table, _) in OpenTables)
        {
            total += table.CachedBytes;
        }

        return [new Measurement<long>(total, new KeyValuePair<string, object?>("db.system.name", DbSystem))];
    }
}
