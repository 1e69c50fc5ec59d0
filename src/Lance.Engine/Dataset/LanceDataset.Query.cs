using System.Runtime.CompilerServices;
using Apache.Arrow;
using Apache.Arrow.Types;
using Lance.Engine.Arrow;
using Lance.Engine.Format;
using Lance.Engine.Query;
using Lance.Engine.Query.Filtering;

namespace Lance.Engine;

/// <summary>Reading a dataset: scans, filtered scans, counts and vector searches.</summary>
public sealed partial class LanceDataset
{
    private const int SearchBlockRows = 16 * 1024;

    /// <summary>Reads the current version, one record batch per fragment, skipping deleted rows.</summary>
    /// <param name="columns">The columns to read, in this order; all when null.</param>
    /// <param name="cancellationToken">Stops the scan between fragments.</param>
    public IAsyncEnumerable<RecordBatch> ScanAsync(IReadOnlyList<string>? columns = null, CancellationToken cancellationToken = default)
        => ScanAsync(new ScanRequest { Columns = columns }, cancellationToken);

    /// <summary>
    /// Reads the rows that pass the request's filter, at most one record batch per fragment (fragments
    /// with no passing rows yield nothing), after skipping <see cref="ScanRequest.Offset"/> rows and up to
    /// <see cref="ScanRequest.Limit"/> rows. The filter reads only its own columns first; the other
    /// columns are taken for the passing rows only.
    /// </summary>
    /// <exception cref="LanceFilterException">The filter is invalid for this dataset (raised on the first iteration).</exception>
    /// <exception cref="LanceSchemaException">A requested column does not exist.</exception>
    public async IAsyncEnumerable<RecordBatch> ScanAsync(ScanRequest request, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var manifest = _manifest;
        var projection = Project(request.Columns);
        var filter = ResolveFilter(request.Filter, request.FilterExpression);
        var skip = request.Offset;
        var remaining = request.Limit ?? long.MaxValue;
        if (remaining <= 0)
        {
            yield break;
        }

        foreach (var fragment in manifest.Fragments)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var rows = PassingRows(fragment, filter, out var all);
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
                batch = ReadFragment(fragment, projection, cancellationToken);
                chosen = null;
            }
            else
            {
                chosen = all ? Enumerable.Range(from, take).ToArray() : rows.AsSpan(from, take).ToArray();
                batch = ArrowTake.Take(ReadFragment(fragment, projection, cancellationToken), chosen);
            }

            if (request.WithRowId)
            {
                batch = AppendRowIds(batch, manifest, fragment, chosen);
            }

            yield return batch;
            if (remaining == 0)
            {
                yield break;
            }

            await Task.Yield();
        }
    }

    /// <summary>The number of live rows that pass the SQL <paramref name="filter"/> (all live rows when null).</summary>
    /// <exception cref="LanceFilterException">The filter is invalid for this dataset.</exception>
    public Task<long> CountRowsAsync(string? filter, CancellationToken cancellationToken = default)
        => CountRowsAsync(filter, null, cancellationToken);

    internal Task<long> CountRowsAsync(string? sql, FilterExpression? expression, CancellationToken cancellationToken)
    {
        var filter = ResolveFilter(sql, expression);
        if (filter is null)
        {
            return Task.FromResult(CountRows());
        }

        long count = 0;
        foreach (var fragment in _manifest.Fragments)
        {
            cancellationToken.ThrowIfCancellationRequested();
            count += PassingRows(fragment, filter, out _)!.Length;
        }

        return Task.FromResult(count);
    }

    /// <summary>
    /// Finds the rows nearest to the query vector by exact search, returning them nearest first
    /// with a <c>_distance</c> column (float32) after the requested columns. With a filter and
    /// <see cref="VectorSearchRequest.Prefilter"/> (the default), the filter runs first over its own
    /// columns and the distance kernel scores only the rows that pass; with a postfilter the k
    /// nearest rows are found first and then filtered, so fewer than k may come back.
    /// </summary>
    /// <exception cref="LanceSchemaException">The column is missing, is not a float vector, or has another dimension than the query.</exception>
    /// <exception cref="LanceFilterException">The filter is invalid for this dataset.</exception>
    public Task<RecordBatch> SearchAsync(VectorSearchRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentOutOfRangeException.ThrowIfNegative(request.Offset);
        var manifest = _manifest;
        var dimension = VectorDimension(request.Column);
        if (request.Query.Length != dimension)
        {
            throw new LanceSchemaException(
                $"The query vector has {request.Query.Length} dimensions but column '{request.Column}' of '{Path}' holds vectors of {dimension}.");
        }

        var projection = Project(request.Columns);
        var filter = ResolveFilter(request.Filter, request.FilterExpression);
        if (TrySearchIndexed(manifest, request, filter, null) is { } indexed)
        {
            return Task.FromResult(indexed);
        }

        var vectorField = _schema.GetFieldByName(request.Column);
        var wanted = checked(request.K + request.Offset);
        var topK = new TopK(wanted);
        var lower = request.DistanceLower ?? float.NegativeInfinity;
        var upper = request.DistanceUpper ?? float.PositiveInfinity;
        foreach (var fragment in manifest.Fragments)
        {
            cancellationToken.ThrowIfCancellationRequested();

            // A LanceDB file's vectors come as one mapped array per page (see ReadColumnPieces).
            var pieces = ReadColumnPieces(fragment, vectorField);
            var passing = filter is not null && request.Prefilter ? PassingRows(fragment, filter, out _)! : null;
            var firstRow = 0;
            foreach (var piece in pieces)
            {
                var vectors = (FixedSizeListArray)piece;
                var rowIdBase = ((long)fragment.Id << 32) + firstRow;
                if (passing is not null)
                {
                    var rows = RowsWithin(passing, firstRow, vectors.Length);
                    if (vectors.NullCount > 0)
                    {
                        rows = rows.Where(r => !vectors.IsNull(r)).ToArray();
                    }

                    SearchRows(request, vectors, dimension, rows, rowIdBase, topK, lower, upper);
                }
                else
                {
                    SearchFragment(request, vectors, dimension, rowIdBase, DeletedRows(fragment), firstRow, topK, lower, upper);
                }

                firstRow += vectors.Length;
            }
        }

        var ranked = topK.ToSortedArray();
        if (filter is not null && !request.Prefilter && ranked.Length > 0)
        {
            // Postfilter: LanceDB's semantics, the nearest rows first and then the filter over them.
            var filterFields = Project(filter.Columns);
            var candidates = Materialize(manifest, filterFields, ranked, withRowId: false);
            var passes = filter.Evaluate(candidates);
            ranked = ranked.Where((_, i) => passes[i]).ToArray();
        }

        ranked = ranked.Skip(request.Offset).Take(request.K).ToArray();
        return Task.FromResult(Materialize(manifest, projection, ranked, request.WithRowId));
    }

    /// <summary>Deletes the rows that pass the SQL <paramref name="filter"/>, as one new version.</summary>
    /// <returns>The number of rows deleted (0 commits nothing).</returns>
    /// <exception cref="LanceFilterException">The filter is invalid for this dataset; nothing is deleted.</exception>
    public Task<long> DeleteAsync(string filter, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(filter);
        return DeleteAsync(RowFilter.Parse(filter, _schema, Path), filter, cancellationToken);
    }

    /// <summary>
    /// Sets columns of the rows that pass the SQL <paramref name="filter"/> (every row when null) to
    /// constant <paramref name="values"/> (column name → value), as one new version.
    /// </summary>
    /// <returns>The number of rows updated.</returns>
    /// <exception cref="LanceFilterException">The filter is invalid for this dataset; nothing is updated.</exception>
    /// <exception cref="LanceSchemaException">A column does not exist, or a value does not fit its type.</exception>
    public Task<long> UpdateAsync(string? filter, IReadOnlyDictionary<string, object?> values, CancellationToken cancellationToken = default)
        => UpdateAsync(string.IsNullOrWhiteSpace(filter) ? null : RowFilter.Parse(filter, _schema, Path), values, cancellationToken);

    /// <summary>Binds a SQL or tree filter to the current schema; null when there is none.</summary>
    internal RowFilter? ResolveFilter(string? sql, FilterExpression? expression)
    {
        if (!string.IsNullOrWhiteSpace(sql))
        {
            return RowFilter.Parse(sql, _schema, Path);
        }

        return expression is null ? null : RowFilter.FromExpression(expression, _schema, Path);
    }

    /// <summary>
    /// The live rows of a fragment that pass <paramref name="filter"/>, ascending. When every row
    /// passes (no filter, no deletions) returns null with <paramref name="all"/> set, to save the array.
    /// </summary>
    private int[]? PassingRows(DataFragment fragment, RowFilter? filter, out bool all)
    {
        var deleted = DeletedRows(fragment);
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

        var passes = filter.Evaluate(ReadFragment(fragment, Project(filter.Columns)));
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
    private RecordBatch AppendRowIds(RecordBatch batch, Manifest manifest, DataFragment fragment, int[]? rows)
    {
        var stable = manifest.UsesStableRowIds ? _rowIds.Of(fragment) : null;
        var ids = new UInt64Array.Builder().Reserve(batch.Length);
        for (var i = 0; i < batch.Length; i++)
        {
            var row = rows is null ? i : rows[i];
            ids.Append(stable is null ? (fragment.Id << 32) | (uint)row : stable[row]);
        }

        var fields = batch.Schema.FieldsList.Append(new Field(RowIdColumn, UInt64Type.Default, nullable: true));
        var columns = Enumerable.Range(0, batch.ColumnCount).Select(batch.Column).Append(ids.Build());
        return new RecordBatch(new Schema(fields, batch.Schema.Metadata), columns, batch.Length);
    }

    private static void SearchRows(VectorSearchRequest request, FixedSizeListArray vectors, int dimension, int[] rows, long rowIdBase, TopK topK, float lower, float upper)
    {
        var blocks = (rows.Length + SearchBlockRows - 1) / SearchBlockRows;
        if (blocks <= 1 || Environment.ProcessorCount == 1)
        {
            DistanceKernels.ScanRows(request.Metric, request.Query.Span, ArrowTake.FlatValues(vectors), dimension, rows, rowIdBase, topK, lower, upper);
            return;
        }

        var partials = new TopK[blocks];
        Parallel.For(0, blocks, block =>
        {
            var local = new TopK(topK.Capacity);
            var start = block * SearchBlockRows;
            var end = Math.Min(rows.Length, start + SearchBlockRows);
            DistanceKernels.ScanRows(request.Metric, request.Query.Span, ArrowTake.FlatValues(vectors), dimension, rows.AsSpan(start, end - start), rowIdBase, local, lower, upper);
            partials[block] = local;
        });
        foreach (var partial in partials)
        {
            topK.Merge(partial);
        }
    }

    // The rows of `passing` (ascending fragment rows) that fall in [first, first + count), made relative to first.
    private static int[] RowsWithin(int[] passing, int first, int count)
    {
        var from = System.Array.BinarySearch(passing, first);
        from = from >= 0 ? from : ~from;
        var to = System.Array.BinarySearch(passing, first + count);
        to = to >= 0 ? to : ~to;
        var rows = new int[to - from];
        for (var i = 0; i < rows.Length; i++)
        {
            rows[i] = passing[from + i] - first;
        }

        return rows;
    }

    // Scores the rows of `vectors`, which are the fragment's rows from `firstRow` on (a piece of its column).
    private static void SearchFragment(
        VectorSearchRequest request, FixedSizeListArray vectors, int dimension, long rowIdBase, HashSet<int> deleted, int firstRow, TopK topK, float lower, float upper)
    {
        var hasNulls = vectors.NullCount > 0;
        Func<int, bool>? skip = hasNulls || deleted.Count > 0
            ? row => (hasNulls && vectors.IsNull(row)) || deleted.Contains(firstRow + row)
            : null;

        // Split the fragment into blocks scanned in parallel, each into its own heap, merged after.
        var rows = vectors.Length;
        var blocks = (rows + SearchBlockRows - 1) / SearchBlockRows;
        if (blocks <= 1 || Environment.ProcessorCount == 1)
        {
            DistanceKernels.Scan(request.Metric, request.Query.Span, ArrowTake.FlatValues(vectors), dimension, 0, rows, rowIdBase, skip, topK, lower, upper);
            return;
        }

        var partials = new TopK[blocks];
        Parallel.For(0, blocks, block =>
        {
            var local = new TopK(topK.Capacity);
            var start = block * SearchBlockRows;
            var end = Math.Min(rows, start + SearchBlockRows);
            DistanceKernels.Scan(request.Metric, request.Query.Span, ArrowTake.FlatValues(vectors), dimension, start, end, rowIdBase, skip, local, lower, upper);
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

            // Vector columns are taken from their mapped pieces: the winners' rows only, no copy of the column.
            var taken = projection.Select(field => ArrowTake.Take(ReadColumnPieces(fragment, field), rows)).ToList();
            pieces.Add(new RecordBatch(new Schema(projection, null), taken, rows.Length));
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
                _ => Lance.Engine.Arrow.ArrowConcat.Concatenate(parts),
            };
            columns.Add(ArrowTake.Take(joined, order));
        }

        fields.Add(new Field(DistanceColumn, FloatType.Default, nullable: true));
        columns.Add(new FloatArray.Builder().AppendRange(ranked.Select(r => r.Distance)).Build());
        if (withRowId)
        {
            // Searches rank row addresses; with stable row ids LanceDB reports each row's id instead.
            var byId = manifest.UsesStableRowIds ? manifest.Fragments.ToDictionary(f => f.Id) : null;
            ulong RowId(long address) => byId is null
                ? (ulong)address
                : _rowIds.Of(byId[(ulong)address >> 32])[(int)(address & 0xFFFFFFFF)];
            fields.Add(new Field(RowIdColumn, UInt64Type.Default, nullable: true));
            columns.Add(new UInt64Array.Builder().AppendRange(ranked.Select(r => RowId(r.Row))).Build());
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
