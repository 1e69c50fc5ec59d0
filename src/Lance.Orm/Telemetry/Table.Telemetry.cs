using System.Diagnostics;
using System.Runtime.CompilerServices;
using Apache.Arrow;

namespace Lance.Orm;

/// <summary>Searches and queries as OpenTelemetry sees them (see <see cref="LanceTelemetry"/>).</summary>
public partial class Table
{
    /// <summary>Bytes of decoded columns this table's dataset keeps (0 once disposed).</summary>
    internal long CachedBytes => _dataset is { } dataset ? dataset.CachedBytes : 0;

    /// <summary>Runs a query; with a span and its duration recorded when someone listens, else exactly as <see cref="ExecuteAsync"/>.</summary>
    internal IAsyncEnumerable<RecordBatch> ObservedExecuteAsync(QuerySpec spec, CancellationToken cancellationToken)
        => LanceTelemetry.Source.HasListeners() || LanceTelemetry.OperationDuration.Enabled
            ? ObserveAsync(spec, cancellationToken)
            : ExecuteAsync(spec, cancellationToken);

    private async IAsyncEnumerable<RecordBatch> ObserveAsync(QuerySpec spec, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var operation = spec.Input is null ? "query" : "search";
        using var activity = LanceTelemetry.Start(operation, this);
        if (activity is { IsAllDataRequested: true })
        {
            if (spec.Limit is { } limit)
            {
                activity.SetTag("lance.query.limit", limit);
            }

            activity.SetTag("lance.query.filtered", spec.FilterSql.Count + spec.Filters.Count > 0);
            if (spec.Input is { } input)
            {
                activity.SetTag("lance.query.input", input.Text is not null ? "text" : input.Image is not null ? "image" : "vector");
                activity.SetTag("lance.query.type", spec.QueryType switch { QueryType.FullText => "fts", QueryType.Hybrid => "hybrid", _ => "vector" });
            }
        }

        var started = Stopwatch.GetTimestamp();
        long rows = 0;
        Exception? error = null;
        var batches = ExecuteAsync(spec, cancellationToken).GetAsyncEnumerator(cancellationToken);
        try
        {
            while (true)
            {
                try
                {
                    if (!await batches.MoveNextAsync().ConfigureAwait(false))
                    {
                        break;
                    }
                }
                catch (Exception e)
                {
                    error = e;
                    LanceTelemetry.Fail(activity, e);
                    throw;
                }

                rows += batches.Current.Length;
                yield return batches.Current;
            }
        }
        finally
        {
            await batches.DisposeAsync().ConfigureAwait(false);
            activity?.SetTag("db.response.returned_rows", rows);
            LanceTelemetry.Duration(this, operation, started, error);
        }
    }
}
