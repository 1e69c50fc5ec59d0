using Lance.Engine.Search.Kernels;
using System.Collections.Concurrent;
using Apache.Arrow;
using Apache.Arrow.Types;
using Lance.Engine.Arrow;
using Lance.Engine.Format;
using Lance.Engine.Index;
using Lance.Engine.Query;
using Lance.Engine.Query.Filtering;

namespace Lance.Engine.Dataset;

/// <summary>
/// Several searches that share everything but the query vector: exact ones share one pass over the
/// vectors (each block of rows meets every query while it is in cache, through <see cref="BlockDot"/>),
/// and a prefilter runs once for all of them; indexed ones (and the rare shapes the shared pass does
/// not cover: hamming, float16/float64 vectors, a postfilter, a distance range) run one search per
/// query, in parallel. Each query gets its own limit and offset. Results are in the order of the queries.
/// </summary>
internal static class BatchSearch
{
    private const int BlockRows = 64;

    /// <summary>One result per query vector (the request's own query is ignored).</summary>
    public static async Task<IReadOnlyList<RecordBatch>> SearchAsync(
        Snapshot snapshot, IndexCache indexes, VectorSearchRequest request, IReadOnlyList<ReadOnlyMemory<float>> queries, CancellationToken cancellationToken)
    {
        if (queries.Count == 0)
        {
            return [];
        }

        ArgumentOutOfRangeException.ThrowIfNegative(request.Offset);
        await snapshot.LoadDeletionsAsync(cancellationToken).ConfigureAwait(false);
        var dimension = SearchVectors.Dimension(snapshot, request.Column, request.Metric);
        for (var q = 0; q < queries.Count; q++)
        {
            if (queries[q].Length != dimension)
            {
                throw new LanceSchemaException(
                    $"Query vector {q} has {queries[q].Length} dimensions but column '{request.Column}' of '{snapshot.Location}' holds vectors of {dimension}.");
            }
        }

        var filter = Scanner.ResolveFilter(snapshot.Schema, snapshot.Location, request.Filter, request.FilterTree);
        if (filter is not null)
        {
            filter.UseScalarIndex = request.UseScalarIndex;
        }

        // One query, or through an index, by hamming, over vectors that are not float32, with a postfilter
        // or a distance range: each query on its own (VectorSearch applies all of these; one query gives
        // exactly the single search's distances, where the shared pass computes them from dot products).
        var float32 = snapshot.Schema.GetFieldByName(request.Column).DataType is FixedSizeListType { ValueDataType: FloatType };
        if (queries.Count == 1 || IndexedSearch.FindIndex(snapshot, indexes, request) is not null || request.Metric == DistanceMetric.Hamming || !float32
            || (filter is not null && !request.Prefilter) || request.DistanceLower is not null || request.DistanceUpper is not null)
        {
            var results = new RecordBatch[queries.Count];
            await Task.Run(() => ParallelLoops.For(0, queries.Count, new ParallelOptions { CancellationToken = cancellationToken }, i =>
                results[i] = VectorSearch.Search(snapshot, indexes, request with { Query = queries[i] }, cancellationToken)), cancellationToken).ConfigureAwait(false);
            return results;
        }

        var projection = snapshot.Project(request.Columns);
        var ranked = await Task.Run(() => Exact(snapshot, request, filter, queries, dimension, cancellationToken), cancellationToken).ConfigureAwait(false);
        return ranked.Select(r => SearchResults.Materialize(snapshot, projection, r.Skip(request.Offset).Take(request.K).ToArray(), request.WithRowId)).ToList();
    }

    /// <summary>Each query's nearest <c>K + Offset</c> rows among the live, non-null rows that pass the prefilter, nearest first.</summary>
    private static List<(float Distance, long Row)[]> Exact(
        Snapshot snapshot, VectorSearchRequest request, RowFilter? filter, IReadOnlyList<ReadOnlyMemory<float>> queries, int dimension, CancellationToken cancellationToken)
    {
        var wanted = checked(request.K + request.Offset);
        var queryCount = queries.Count;
        var flat = new float[queryCount * dimension];
        var queryNorms = new float[queryCount];
        for (var q = 0; q < queryCount; q++)
        {
            queries[q].Span.CopyTo(flat.AsSpan(q * dimension, dimension));
            queryNorms[q] = VectorSums.Dot(queries[q].Span, queries[q].Span);
        }

        var padded = BlockDot.Pad(queryCount);
        var transposed = BlockDot.Transpose(flat, queryCount, dimension);
        var heaps = Enumerable.Range(0, queryCount).Select(_ => new TopK(wanted)).ToArray();
        var vectorField = snapshot.Schema.GetFieldByName(request.Column);
        long taken = 0;
        foreach (var fragment in snapshot.Fragments)
        {
            cancellationToken.ThrowIfCancellationRequested();

            // As a single search reads it: leased (mapped, cached, or read whole into native memory while
            // the cache's budget lasts) and pinned while this pass reads it, or streamed from its file
            // chunk by chunk when the budget is spent, so a batch over more vectors than the budget keeps
            // its memory bounded too.
            using var column = snapshot.LeaseSearchColumn(fragment, vectorField, ref taken, cancellationToken);
            var live = filter is null ? snapshot.LiveRows(fragment) : Passing(snapshot, fragment, filter);
            var fragmentBase = (long)fragment.Id << 32;
            var locals = new ConcurrentBag<TopK[]>();
            (TopK[] Heaps, float[] Dots) Init() => (Enumerable.Range(0, queryCount).Select(_ => new TopK(wanted)).ToArray(), new float[BlockRows * padded]);

            // Scores block `block` of `vectors`, whose first row is fragment row `firstRow`.
            void Score(FixedSizeListArray vectors, int firstRow, int block, (TopK[] Heaps, float[] Dots) state)
            {
                var start = block * BlockRows;
                var count = Math.Min(BlockRows, vectors.Length - start);
                var values = ArrowTake.FlatValues(vectors);
                var hasNulls = vectors.NullCount > 0;
                Func<int, bool>? skip = hasNulls || live is not null ? row => (hasNulls && vectors.IsNull(row)) || (live is not null && !live[firstRow + row]) : null;
                BlockDot.Compute(values[(start * dimension)..], count, dimension, dimension, transposed, padded, state.Dots);
                DistanceKernels.OfferDots(request.Metric, values, dimension, start, count, state.Dots, padded, queryNorms, skip, fragmentBase + firstRow, state.Heaps);
            }

            static int Blocks(int rows) => (rows + BlockRows - 1) / BlockRows;

            if (column.Streamed is { } streamed)
            {
                streamed.ForEachChunk(
                    Init,
                    (chunk, firstRow, state) =>
                    {
                        for (var block = 0; block < Blocks(chunk.Length); block++)
                        {
                            Score(chunk, firstRow, block, state);
                        }
                    },
                    state => locals.Add(state.Heaps),
                    cancellationToken);
            }
            else
            {
                var first = 0;
                foreach (var piece in column.Lease!.Arrays)
                {
                    var vectors = (FixedSizeListArray)piece;
                    var firstRow = first;
                    ParallelLoops.For(0, Blocks(vectors.Length), new ParallelOptions { CancellationToken = cancellationToken }, Init,
                        (block, _, state) =>
                        {
                            Score(vectors, firstRow, block, state);
                            return state;
                        },
                        state => locals.Add(state.Heaps));
                    first += vectors.Length;
                }
            }

            foreach (var local in locals)
            {
                for (var q = 0; q < queryCount; q++)
                {
                    heaps[q].Merge(local[q]);
                }
            }
        }

        return heaps.Select(h => h.ToSortedArray()).ToList();
    }

    /// <summary>The fragment's rows that pass the prefilter (and are live), as a mask over its physical rows: computed once for every query.</summary>
    private static bool[] Passing(Snapshot snapshot, DataFragment fragment, RowFilter filter)
    {
        var mask = new bool[(int)fragment.PhysicalRows];
        foreach (var row in Scanner.PassingRows(snapshot, fragment, filter, out _)!)
        {
            mask[row] = true;
        }

        return mask;
    }
}
