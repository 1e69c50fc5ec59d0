using Apache.Arrow;
using Apache.Arrow.Types;
using Lance.Engine.Index;
using Lance.Engine.Query;
using Lance.Engine.Query.Filtering;
using Lance.Engine.Search.Float64;

namespace Lance.Engine.Dataset;

/// <summary>
/// Nearest-neighbour search over a <see cref="Snapshot"/>: through an index when one serves the
/// request (<see cref="IndexedSearch"/>), else exactly, fragment by fragment, with the distance
/// kernels over the vectors in place (mapped from the files where the pages are flat). With a filter
/// and a prefilter (the default) the filter runs first and only passing rows are scored; with a
/// postfilter the nearest rows are found first and then filtered, so fewer than k may come back.
/// </summary>
internal static class VectorSearch
{
    /// <summary>
    /// <see cref="Search"/> after reading, without blocking, the deletion files it needs (at once, with no
    /// task allocated, when the cache holds them all).
    /// </summary>
    public static Task<RecordBatch> SearchAsync(Snapshot snapshot, IndexCache indexes, VectorSearchRequest request, CancellationToken cancellationToken)
    {
        var loading = snapshot.LoadDeletionsAsync(cancellationToken);
        return loading.IsCompletedSuccessfully ? Task.FromResult(Search(snapshot, indexes, request, cancellationToken)) : After(loading);

        async Task<RecordBatch> After(ValueTask load)
        {
            await load.ConfigureAwait(false);
            return Search(snapshot, indexes, request, cancellationToken);
        }
    }

    /// <summary>The request's rows, nearest first, with <c>_distance</c> (and <c>_rowid</c> on request).</summary>
    /// <exception cref="LanceSchemaException">The column is missing, is not a float vector, or has another dimension than the query.</exception>
    /// <exception cref="LanceFilterException">The filter is invalid for this dataset.</exception>
    public static RecordBatch Search(Snapshot snapshot, IndexCache indexes, VectorSearchRequest request, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(request.Offset);
        var dimension = SearchVectors.Dimension(snapshot, request.Column, request.Metric);
        if (request.Query.Length != dimension)
        {
            throw new LanceSchemaException(
                $"The query vector has {request.Query.Length} dimensions but column '{request.Column}' of '{snapshot.Location}' holds vectors of {dimension}.");
        }

        var projection = snapshot.Project(request.Columns);
        var filter = Scanner.ResolveFilter(snapshot.Schema, snapshot.Location, request.Filter, request.FilterTree);
        if (filter is not null)
        {
            filter.UseScalarIndex = request.UseScalarIndex;
        }

        if (IndexedSearch.TrySearch(snapshot, indexes, request, filter, null) is { } indexed)
        {
            return indexed;
        }

        // The winners' vectors are kept while the fragments are scored, so returning them reads the
        // vector column no second time (without a column cache, or on a remote store, that second read
        // was the whole column again for k rows).
        var keep = projection.Any(f => f.Name == request.Column) ? new ScoredColumn(request.Column) : null;
        var ranked = Exact(snapshot, request, filter, dimension, keep, cancellationToken);
        return SearchResults.Materialize(snapshot, projection, ranked, request.WithRowId, keep);
    }

    /// <summary>The ranked rows of an exact search, after postfilter, offset and limit.</summary>
    private static (float Distance, long Row)[] Exact(Snapshot snapshot, VectorSearchRequest request, RowFilter? filter, int dimension, ScoredColumn? keep, CancellationToken cancellationToken)
    {
        var vectorField = snapshot.Schema.GetFieldByName(request.Column);
        var topK = new TopK(checked(request.K + request.Offset));
        var lower = request.DistanceLower ?? float.NegativeInfinity;
        var upper = request.DistanceUpper ?? float.PositiveInfinity;

        // The kernel is chosen once for the whole search: bits of uint8 vectors for hamming, float64
        // arithmetic for float64 vectors, the SIMD float32 kernels for float32 (and float16, widened).
        var hamming = request.Metric == DistanceMetric.Hamming ? HammingScan.QueryBytes(request.Query.Span, request.Column, snapshot.Location) : null;
        var float64 = hamming is null && vectorField.DataType is FixedSizeListType { ValueDataType: DoubleType };
        if (hamming is null && vectorField.DataType is FixedSizeListType { ValueDataType: HalfFloatType })
        {
            // LanceDB casts the query to the column's float16 before it measures, so its distances are the rounded query's.
            request = request with { Query = SearchVectors.RoundedToHalf(request.Query.Span) };
        }

        long taken = 0;
        using var columns = new SearchColumnQueue(snapshot, snapshot.Fragments, vectorField, taken, cancellationToken);
        foreach (var fragment in snapshot.Fragments)
        {
            cancellationToken.ThrowIfCancellationRequested();

            // A LanceDB file's vectors come as one mapped array per page (see Snapshot.LeaseColumnPieces),
            // pinned in the column cache while they are scored and evictable (within the budget) after;
            // a column the budget cannot take is streamed from its file instead. On a remote store the next
            // fragments' columns are fetched while this one is scored (see SearchColumnQueue).
            using var column = columns.TakeNext(ref taken);
            var passing = filter is not null && request.Prefilter ? Scanner.PassingRows(snapshot, fragment, filter, out _)! : null;
            var deleted = passing is null ? snapshot.DeletedRows(fragment) : null;
            void Score(FixedSizeListArray stored, int firstRow, TopK into)
            {
                var rowIdBase = ((long)fragment.Id << 32) + firstRow;
                if (hamming is not null || float64)
                {
                    var rows = passing is not null
                        ? ExactScan.NonNull(stored, ExactScan.RowsWithin(passing, firstRow, stored.Length))
                        : ExactScan.LiveRows(stored, deleted!, firstRow);
                    if (hamming is not null)
                    {
                        HammingScan.SearchRows(hamming, stored, rows, rowIdBase, into, lower, upper);
                    }
                    else
                    {
                        Float64Scan.SearchRows(request.Metric, request.Query.Span, stored, rows, rowIdBase, into, lower, upper);
                    }
                }
                else if (passing is not null)
                {
                    var vectors = SearchVectors.AsFloat32(stored);
                    ExactScan.SearchRows(request, vectors, dimension, ExactScan.NonNull(vectors, ExactScan.RowsWithin(passing, firstRow, vectors.Length)), rowIdBase, into, lower, upper);
                }
                else
                {
                    ExactScan.SearchFragment(request, SearchVectors.AsFloat32(stored), dimension, rowIdBase, deleted!, firstRow, into, lower, upper);
                }
            }

            if (column.Streamed is { } streamed)
            {
                // Each worker scores its chunks into its own heap; the rows a chunk leaves in that heap are
                // kept as the chunk is read (the chunk's buffer is reused), a superset of its final winners.
                var gate = new Lock();
                var kept = keep is null ? null : new List<(int[] Rows, IArrowArray Values)>();
                streamed.ForEachChunk(
                    () => new TopK(topK.Capacity),
                    (chunk, firstRow, local) =>
                    {
                        Score(chunk, firstRow, local);
                        if (kept is not null && ScoredColumn.Take(fragment.Id, chunk, firstRow, local.KeptRows()) is { } part)
                        {
                            lock (gate)
                            {
                                kept.Add(part);
                            }
                        }
                    },
                    local =>
                    {
                        lock (gate)
                        {
                            topK.Merge(local);
                        }
                    },
                    cancellationToken);
                if (kept is not null)
                {
                    keep!.Keep(fragment.Id, kept);
                }

                continue;
            }

            var pieces = column.Lease!.Arrays;
            var first = 0;
            foreach (var piece in pieces)
            {
                var stored = (FixedSizeListArray)piece;
                Score(stored, first, topK);
                first += stored.Length;
            }

            // A row among the final winners is among the kept ones when its fragment is done (the
            // threshold only tightens), so keeping these few now covers every winner of this fragment.
            keep?.Keep(fragment.Id, pieces, topK.KeptRows());
        }

        var ranked = topK.ToSortedArray();
        if (filter is not null && !request.Prefilter && ranked.Length > 0)
        {
            // Postfilter: LanceDB's semantics, the nearest rows first and then the filter over them.
            ranked = SearchResults.PostFilter(snapshot, filter, ranked);
        }

        var from = Math.Min(request.Offset, ranked.Length);
        return ranked.AsSpan(from, Math.Min(request.K, ranked.Length - from)).ToArray();
    }
}
