using System.Runtime.CompilerServices;
using Apache.Arrow;
using Apache.Arrow.Types;
using Lance.Engine.Arrow;
using Lance.Engine.Format;
using Lance.Engine.Query;

namespace Lance.Engine;

/// <summary>Reading a dataset: scans and vector searches.</summary>
public sealed partial class LanceDataset
{
    /// <summary>Reads the current version, one record batch per fragment, skipping deleted rows.</summary>
    /// <param name="columns">The columns to read, in this order; all when null.</param>
    /// <param name="cancellationToken">Stops the scan between fragments.</param>
    public async IAsyncEnumerable<RecordBatch> ScanAsync(IReadOnlyList<string>? columns = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var manifest = _manifest;
        var projection = Project(columns);
        foreach (var fragment in manifest.Fragments)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var batch = ReadFragment(fragment, projection);
            var deleted = DeletedRows(fragment);
            if (deleted.Count > 0)
            {
                var keep = Enumerable.Range(0, batch.Length).Where(r => !deleted.Contains(r)).ToArray();
                batch = ArrowTake.Take(batch, keep);
            }

            yield return batch;
            await Task.Yield();
        }
    }

    /// <summary>
    /// Finds the rows nearest to the query vector by exact search over every row, returning them
    /// nearest first with a <c>_distance</c> column (float32) after the requested columns.
    /// </summary>
    /// <exception cref="LanceSchemaException">The column is missing, is not a float vector, or has another dimension than the query.</exception>
    public Task<RecordBatch> SearchAsync(VectorSearchRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var manifest = _manifest;
        var dimension = VectorDimension(request.Column);
        if (request.Query.Length != dimension)
        {
            throw new LanceSchemaException(
                $"The query vector has {request.Query.Length} dimensions but column '{request.Column}' of '{Path}' holds vectors of {dimension}.");
        }

        if (TrySearchIndexed(manifest, request) is { } indexed)
        {
            return Task.FromResult(indexed);
        }

        var projection = Project(request.Columns);
        var vectorField = _schema.GetFieldByName(request.Column);
        var topK = new TopK(request.K);
        foreach (var fragment in manifest.Fragments)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var vectors = (FixedSizeListArray)ReadColumn(fragment, vectorField);
            var deleted = DeletedRows(fragment);
            SearchFragment(request, vectors, dimension, (long)fragment.Id << 32, deleted, topK);
        }

        var ranked = topK.ToSortedArray();
        return Task.FromResult(Materialize(manifest, projection, ranked, request.WithRowId));
    }

    private static void SearchFragment(VectorSearchRequest request, FixedSizeListArray vectors, int dimension, long rowIdBase, HashSet<int> deleted, TopK topK)
    {
        var hasNulls = vectors.NullCount > 0;
        Func<int, bool>? skip = hasNulls || deleted.Count > 0
            ? row => (hasNulls && vectors.IsNull(row)) || deleted.Contains(row)
            : null;

        // Split the fragment into blocks scanned in parallel, each into its own heap, merged after.
        const int BlockRows = 16 * 1024;
        var rows = vectors.Length;
        var blocks = (rows + BlockRows - 1) / BlockRows;
        if (blocks <= 1 || Environment.ProcessorCount == 1)
        {
            DistanceKernels.Scan(request.Metric, request.Query.Span, ArrowTake.FlatValues(vectors), dimension, 0, rows, rowIdBase, skip, topK);
            return;
        }

        var partials = new TopK[blocks];
        Parallel.For(0, blocks, block =>
        {
            var local = new TopK(request.K);
            var start = block * BlockRows;
            var end = Math.Min(rows, start + BlockRows);
            DistanceKernels.Scan(request.Metric, request.Query.Span, ArrowTake.FlatValues(vectors), dimension, start, end, rowIdBase, skip, local);
            partials[block] = local;
        });
        foreach (var partial in partials)
        {
            topK.Merge(partial);
        }
    }

    private RecordBatch Materialize(Manifest manifest, List<Field> projection, (float Distance, long Row)[] ranked, bool withRowId)
    {
        // Take each fragment's winners, then put all of them in rank order.
        var pieces = new List<RecordBatch>();
        var order = new int[ranked.Length];
        var position = 0;
        foreach (var group in ranked.Select((hit, rank) => (hit, rank)).GroupBy(x => (ulong)(x.hit.Row >> 32)))
        {
            var fragment = manifest.Fragments.First(f => f.Id == group.Key);
            var rows = group.Select(x => (int)(x.hit.Row & 0xFFFFFFFF)).ToArray();
            pieces.Add(ArrowTake.Take(ReadFragment(fragment, projection), rows));
            foreach (var (_, rank) in group)
            {
                order[rank] = position++;
            }
        }

        var fields = projection.ToList();
        var columns = new List<IArrowArray>();
        for (var c = 0; c < projection.Count; c++)
        {
            var parts = pieces.Select(p => p.Column(c)).ToList();
            var joined = parts.Count switch
            {
                0 => ArrowEmpty.Create(projection[c].DataType),
                1 => parts[0],
                _ => ArrowArrayConcatenator.Concatenate(parts),
            };
            columns.Add(ArrowTake.Take(joined, order));
        }

        fields.Add(new Field(DistanceColumn, FloatType.Default, nullable: true));
        columns.Add(new FloatArray.Builder().AppendRange(ranked.Select(r => r.Distance)).Build());
        if (withRowId)
        {
            fields.Add(new Field(RowIdColumn, UInt64Type.Default, nullable: true));
            columns.Add(new UInt64Array.Builder().AppendRange(ranked.Select(r => (ulong)r.Row)).Build());
        }

        return new RecordBatch(new Schema(fields, null), columns, ranked.Length);
    }

    private int VectorDimension(string column)
    {
        var field = _schema.FieldsList.FirstOrDefault(f => f.Name == column)
            ?? throw new LanceSchemaException($"Column '{column}' does not exist in '{Path}'. Columns: {string.Join(", ", _schema.FieldsList.Select(f => f.Name))}.");
        if (field.DataType is not FixedSizeListType { ValueDataType: FloatType } list)
        {
            throw new LanceSchemaException($"Column '{column}' of '{Path}' is {field.DataType.Name}, not a vector (fixed_size_list<float>[dim]).");
        }

        return list.ListSize;
    }
}
