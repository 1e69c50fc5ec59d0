using System.Runtime.CompilerServices;
using Apache.Arrow;
using Lance.Engine;
using Lance.Engine.Arrow;
using Lance.Engine.Query;

namespace Lance.Orm;

/// <summary>
/// A plain query with <c>OrderBy</c>: the filtered rows are read (with the sort columns, even when the
/// projection leaves them out), sorted stably by the keys, then offset and limit are applied and the
/// projection restored. Like LanceDB's sort of a plain query, it holds every passing row in memory.
/// </summary>
internal static class OrderedScan
{
    /// <summary>Adds a sort key: <paramref name="then"/> false starts a new order (as LINQ's OrderBy), true adds a tiebreaker.</summary>
    public static void Add(QuerySpec spec, string column, bool descending, bool nullsFirst, bool then)
    {
        ArgumentException.ThrowIfNullOrEmpty(column);
        if (!then)
        {
            spec.Order.Clear();
        }
        else if (spec.Order.Count == 0)
        {
            throw new InvalidOperationException($"ThenBy(\"{column}\") needs an OrderBy before it.");
        }

        spec.Order.Add(new ColumnOrder(column, descending, nullsFirst));
    }

    public static async IAsyncEnumerable<RecordBatch> ExecuteAsync(
        LanceDataset dataset, string table, QuerySpec spec, string? sql, FilterNode? tree, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        foreach (var order in spec.Order)
        {
            if (dataset.Schema.GetFieldIndex(order.Column) < 0)
            {
                throw new LanceSchemaException(
                    $"Cannot order table '{table}' by '{order.Column}': no such column. Columns: {string.Join(", ", dataset.Schema.FieldsList.Select(f => f.Name))}.");
            }
        }

        var columns = spec.Columns is null ? null : spec.Columns.Concat(spec.Order.Select(o => o.Column)).Distinct(StringComparer.Ordinal).ToList();
        var scan = new ScanRequest { Columns = columns, Filter = sql, FilterTree = tree, WithRowId = spec.WithRowId };
        var batches = new List<RecordBatch>();
        await foreach (var batch in dataset.ScanAsync(scan, cancellationToken).ConfigureAwait(false))
        {
            if (batch.Length > 0)
            {
                batches.Add(batch);
            }
        }

        if (batches.Count == 0)
        {
            yield break;
        }

        var all = batches.Count == 1 ? batches[0] : new RecordBatch(
            batches[0].Schema,
            Enumerable.Range(0, batches[0].ColumnCount).Select(c => ArrowArrays.Concatenate(batches.Select(b => b.Column(c)).ToList())),
            batches.Sum(b => b.Length));
        var keys = spec.Order.Select(o => RowComparer.For(all.Column(o.Column), o, table)).ToArray();
        var rows = Enumerable.Range(0, all.Length).ToArray();
        System.Array.Sort(rows, (a, b) =>
        {
            foreach (var key in keys)
            {
                var c = key(a, b);
                if (c != 0)
                {
                    return c;
                }
            }

            return a.CompareTo(b); // stable: equal keys keep scan order
        });

        var start = (int)Math.Min(spec.Offset, rows.Length);
        var count = Math.Min(rows.Length - start, spec.Limit ?? int.MaxValue);
        if (count <= 0)
        {
            yield break;
        }

        var sorted = ArrowArrays.Take(all, rows.AsSpan(start, count));
        if (spec.Columns is null || columns!.Count == spec.Columns.Count)
        {
            yield return sorted;
            yield break;
        }

        // The sort columns the projection left out are dropped again.
        var keep = spec.Columns.ToList();
        if (spec.WithRowId)
        {
            keep.Add(LanceDataset.RowIdColumn);
        }

        var fields = keep.Select(name => sorted.Schema.GetFieldByName(name)).ToList();
        yield return new RecordBatch(new Schema(fields, sorted.Schema.Metadata), keep.Select(name => sorted.Column(name)), sorted.Length);
    }
}
