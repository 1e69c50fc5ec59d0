using System.Runtime.CompilerServices;
using Apache.Arrow;
using Apache.Arrow.Types;
using Lance.Engine.Arrow;
using Lance.Engine.Format;
using Lance.Engine.Index.Scalar;
using Lance.Engine.Query;
using Lance.Engine.Query.Filtering;

namespace Lance.Engine.Dataset;

/// <summary>
/// Reads rows of a <see cref="Snapshot"/>: scans with projection, filter, offset and limit, counts,
/// and the live rows of a fragment that pass a filter (which searches and indexes use to prefilter).
/// A filter reads only its own columns first; the other columns are taken for the passing rows only.
/// </summary>
internal static class Scanner
{
    /// <summary>Binds a SQL or tree filter to <paramref name="schema"/>; null when there is none.</summary>
    public static RowFilter? ResolveFilter(Schema schema, string location, string? sql, FilterNode? tree)
    {
        if (!string.IsNullOrWhiteSpace(sql))
        {
            return RowFilter.Parse(sql, schema, location);
        }

        return tree is null ? null : RowFilter.FromExpression(FilterLowering.Lower(tree, location), schema, location);
    }

    /// <summary>The rows passing the request, at most one batch per fragment (see <see cref="LanceDataset.ScanAsync(ScanRequest, CancellationToken)"/>).</summary>
    public static async IAsyncEnumerable<RecordBatch> ScanAsync(Snapshot snapshot, ScanRequest request, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var projection = snapshot.Project(request.Columns);
        var filter = ResolveFilter(snapshot.Schema, snapshot.Location, request.Filter, request.FilterTree);
        if (filter is not null)
        {
            filter.UseScalarIndex = request.UseScalarIndex;
        }

        var skip = request.Offset;
        var remaining = request.Limit ?? long.MaxValue;
        if (remaining <= 0)
        {
            yield break;
        }

        await snapshot.LoadDeletionsAsync(cancellationToken).ConfigureAwait(false);

        foreach (var fragment in snapshot.Fragments)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var rows = PassingRows(snapshot, fragment, filter, out var all);
            var count = all ? (int)fragment.PhysicalRows : rows!.Length;
            if (skip >= count)
            {
                skip -= count;
                continue;
            }

            var from = (int)skip;
            var take = (int)Math.Min(count - from, remaining);
            skip = 0;
            remaining -= take;
            RecordBatch batch;
            int[]? chosen;
            if (all && from == 0 && take == count)
            {
                batch = snapshot.ReadFragment(fragment, projection, cancellationToken);
                chosen = null;
            }
            else
            {
                chosen = all ? Enumerable.Range(from, take).ToArray() : rows.AsSpan(from, take).ToArray();
                batch = ArrowTake.Take(snapshot.ReadFragment(fragment, projection, cancellationToken), chosen);
            }

            if (request.WithRowId)
            {
                batch = AppendRowIds(snapshot, batch, fragment, chosen);
            }

            yield return batch;
            if (remaining == 0)
            {
                yield break;
            }

            await Task.Yield();
        }
    }

    /// <summary><see cref="CountRows"/> after reading, without blocking, the deletion files it needs (at once when the cache holds them, or none is needed).</summary>
    public static Task<long> CountRowsAsync(Snapshot snapshot, RowFilter? filter, CancellationToken cancellationToken)
    {
        var loading = filter is null ? ValueTask.CompletedTask : snapshot.LoadDeletionsAsync(cancellationToken);
        return loading.IsCompletedSuccessfully ? Task.FromResult(CountRows(snapshot, filter, cancellationToken)) : After(loading);

        async Task<long> After(ValueTask load)
        {
            await load.ConfigureAwait(false);
            return CountRows(snapshot, filter, cancellationToken);
        }
    }

    /// <summary>The number of live rows that pass <paramref name="filter"/> (all live rows when null).</summary>
    public static long CountRows(Snapshot snapshot, RowFilter? filter, CancellationToken cancellationToken)
    {
        if (filter is null)
        {
            return snapshot.CountRows();
        }

        long count = 0;
        foreach (var fragment in snapshot.Fragments)
        {
            cancellationToken.ThrowIfCancellationRequested();
            count += PassingRows(snapshot, fragment, filter, out _)!.Length;
        }

        return count;
    }

    /// <summary>
    /// The live rows of a fragment that pass <paramref name="filter"/>, ascending. When every row
    /// passes (no filter, no deletions) returns null with <paramref name="all"/> set, to save the array.
    /// </summary>
    public static int[]? PassingRows(Snapshot snapshot, DataFragment fragment, RowFilter? filter, out bool all)
    {
        var deleted = snapshot.DeletedRows(fragment);
        var length = (int)fragment.PhysicalRows;
        all = false;
        if (filter is null)
        {
            if (deleted.Count == 0)
            {
                all = true;
                return null;
            }

            var live = new int[length - deleted.Count];
            var n = 0;
            for (var row = 0; row < length; row++)
            {
                if (!deleted.Contains(row))
                {
                    live[n++] = row;
                }
            }

            return n == live.Length ? live : live[..n];
        }

        if (filter.UseScalarIndex && ScalarFilterPlan.For(snapshot, filter).PassingRows(fragment, filter, deleted) is { } indexed)
        {
            return indexed;
        }

        var passes = filter.Evaluate(snapshot.ReadFragment(fragment, snapshot.Project(filter.Columns)));
        foreach (var row in deleted)
        {
            if (row < passes.Length)
            {
                passes[row] = false;
            }
        }

        var count = 0;
        foreach (var pass in passes)
        {
            count += pass ? 1 : 0;
        }

        var rows = new int[count];
        var next = 0;
        for (var row = 0; row < passes.Length; row++)
        {
            if (passes[row])
            {
                rows[next++] = row;
            }
        }

        return rows;
    }

    /// <summary>
    /// Adds the <c>_rowid</c> column as LanceDB reports it: the row's stable id when the dataset has
    /// stable row ids, else its address (fragment id &lt;&lt; 32 | offset).
    /// </summary>
    private static RecordBatch AppendRowIds(Snapshot snapshot, RecordBatch batch, DataFragment fragment, int[]? rows)
    {
        var stable = snapshot.Manifest.UsesStableRowIds ? snapshot.RowIds.Of(fragment) : null;
        var ids = new UInt64Array.Builder().Reserve(batch.Length);
        for (var i = 0; i < batch.Length; i++)
        {
            var row = rows is null ? i : rows[i];
            ids.Append(stable is null ? (fragment.Id << 32) | (uint)row : stable[row]);
        }

        var fields = batch.Schema.FieldsList.Append(new Field(LanceDataset.RowIdColumn, UInt64Type.Default, nullable: true));
        var columns = Enumerable.Range(0, batch.ColumnCount).Select(batch.Column).Append(ids.Build());
        return new RecordBatch(new Schema(fields, batch.Schema.Metadata), columns, batch.Length);
    }
}
