using Lance.Engine.Search.Kernels;
using Apache.Arrow;
using Lance.Engine.Arrow;
using Lance.Engine.Dataset;
using Lance.Engine.Format;
using Lance.Engine.Query;
using Lance.Engine.Query.Filtering;

namespace Lance.Engine.Index;

/// <summary>
/// Approximate search through an IVF-PQ index: the index's candidates (k × refine factor of them,
/// re-ranked with the exact vectors when a refine factor is given) merged with an exact search of
/// the fragments the index does not cover. Deleted rows are never returned; a prefilter (and an
/// extra row mask) limits the rows scored, a postfilter applies to the ranked rows, then the distance
/// range, offset and limit, with the same semantics as exact search.
/// </summary>
internal static class IndexedSearch
{
    /// <summary>
    /// The index that can answer <paramref name="request"/> in <paramref name="snapshot"/>, if any: its
    /// entries (one, or several of one name where Lance added deltas, each covering its own fragments).
    /// </summary>
    public static IReadOnlyList<IndexMetadata>? FindIndex(Snapshot snapshot, IndexCache indexes, VectorSearchRequest request)
    {
        var manifest = snapshot.Manifest;
        if (request.BypassIndex || manifest.Indices.Count == 0 || manifest.Schema.FindField(request.Column) is not { } field)
        {
            return null;
        }

        foreach (var metadata in manifest.Indices)
        {
            if (IndexCatalog.IsSearchable(metadata) && IndexCatalog.IndexedFieldId(metadata) == field.Id
                && IndexCatalog.MetricOf(metadata, indexes) == request.Metric)
            {
                return manifest.Indices.Where(i => i.Name == metadata.Name && IndexCatalog.IsSearchable(i) && IndexCatalog.IndexedFieldId(i) == field.Id).ToList();
            }
        }

        return null;
    }

    /// <summary>
    /// Answers through an index when one serves the request, returning only rows whose flag in
    /// <paramref name="allowed"/> (per fragment id, by row offset; all rows of fragments not listed)
    /// is true; null when no index serves the request.
    /// </summary>
    public static RecordBatch? TrySearch(Snapshot snapshot, IndexCache indexes, VectorSearchRequest request, RowFilter? filter, IReadOnlyDictionary<ulong, bool[]>? allowed)
    {
        if (FindIndex(snapshot, indexes, request) is not { } entries)
        {
            return null;
        }

        var ranked = Search(snapshot, entries.Select(indexes.Load).ToList(), entries, request, filter, allowed);
        return SearchResults.Materialize(snapshot, snapshot.Project(request.Columns), ranked, request.WithRowId);
    }

    private static (float Distance, long Row)[] Search(
        Snapshot snapshot, IReadOnlyList<IVectorIndex> parts, IReadOnlyList<IndexMetadata> entries, VectorSearchRequest request, RowFilter? filter, IReadOnlyDictionary<ulong, bool[]>? allowed)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(request.Nprobes, 1, nameof(request.Nprobes));
        if (request.RefineFactor is { } factor)
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(factor, 1, nameof(request.RefineFactor));
        }

        var vectorField = snapshot.Schema.GetFieldByName(request.Column);
        var covered = new HashSet<ulong>(entries.SelectMany(e => e.Fragments));
        var index = parts[0];
        var prefilter = filter is not null && request.Prefilter ? filter : null;
        var wanted = checked(request.K + request.Offset);
        var lower = request.DistanceLower ?? float.NegativeInfinity;
        var upper = request.DistanceUpper ?? float.PositiveInfinity;

        // Per fragment: the rows that may be scored (live, passing the prefilter and the mask).
        bool[]? Allowed(DataFragment fragment)
        {
            var mask = Combine(snapshot.LiveRows(fragment), allowed?.GetValueOrDefault(fragment.Id));
            if (prefilter is null)
            {
                return mask;
            }

            var rows = new bool[fragment.PhysicalRows];
            foreach (var row in Scanner.PassingRows(snapshot, fragment, prefilter, out _)!)
            {
                rows[row] = true;
            }

            return Combine(rows, mask);
        }

        var rowMask = new RowMask(snapshot.Fragments.Select(f => f.Id).DefaultIfEmpty(0UL).Max());
        foreach (var fragment in snapshot.Fragments.Where(f => covered.Contains(f.Id)))
        {
            rowMask.Allow(fragment.Id, Allowed(fragment));
        }

        // Hamming indexes (IVF_FLAT over uint8 vectors) measure exactly: nothing to refine, and the query must be bytes.
        var hamming = request.Metric == DistanceMetric.Hamming ? HammingScan.QueryBytes(request.Query.Span, request.Column, snapshot.Location) : null;
        var refine = hamming is null ? request.RefineFactor ?? 0 : 0;
        var candidates = new TopK(wanted * Math.Max(1, refine));
        // HNSW's beam width: LanceDB's default is 1.5 × the candidates wanted.
        var ef = request.Ef ?? (candidates.Capacity + (candidates.Capacity / 2));
        foreach (var part in parts)
        {
            part.Search(request.Query.Span, request.Nprobes, ef, rowMask, candidates);
        }

        var result = new TopK(wanted);
        var measure = hamming is null ? DistanceKernels.Measure(request.Metric, request.Query) : null;
        var found = candidates.ToSortedArray();
        var exact = refine > 0 ? Refine(snapshot, vectorField, index.Dimension, found, measure!) : null;
        for (var i = 0; i < found.Length; i++)
        {
            var distance = exact?[i] ?? found[i].Distance;
            if (DistanceKernels.InRange(distance, lower, upper))
            {
                result.Offer(distance, found[i].Row);
            }
        }

        foreach (var fragment in snapshot.Fragments.Where(f => !covered.Contains(f.Id)))
        {
            using var lease = snapshot.LeaseColumn(fragment, vectorField);
            var vectors = (FixedSizeListArray)lease.Array;
            var mask = Allowed(fragment);
            var rowIdBase = (long)fragment.Id << 32;
            if (hamming is not null)
            {
                var live = Enumerable.Range(0, vectors.Length).Where(r => (mask is null || mask[r]) && !vectors.IsNull(r)).ToArray();
                HammingScan.SearchRows(hamming, vectors, live, rowIdBase, result, lower, upper);
                continue;
            }

            if (mask is null)
            {
                ExactScan.SearchFragment(request, vectors, index.Dimension, rowIdBase, snapshot.DeletedRows(fragment), 0, result, lower, upper);
                continue;
            }

            var rows = Enumerable.Range(0, mask.Length).Where(r => mask[r] && !vectors.IsNull(r)).ToArray();
            ExactScan.SearchRows(request, vectors, index.Dimension, rows, rowIdBase, result, lower, upper);
        }

        var ranked = result.ToSortedArray();
        if (filter is not null && !request.Prefilter && ranked.Length > 0)
        {
            ranked = SearchResults.PostFilter(snapshot, filter, ranked);
        }

        return ranked.Skip(request.Offset).Take(request.K).ToArray();
    }

    // The exact distance of each candidate (row addresses), in their order: per fragment, the candidates' vectors read
    // by positioned reads where the column lies flat in its file (a few small reads, nothing mapped or cached), else
    // from the column leased (pinned) until all of that fragment's candidates are scored.
    private static float[] Refine(Snapshot snapshot, Apache.Arrow.Field vectorField, int dimension, (float Distance, long Row)[] found, VectorDistance measure)
    {
        var exact = new float[found.Length];
        foreach (var group in Enumerable.Range(0, found.Length).GroupBy(i => (ulong)found[i].Row >> 32))
        {
            var at = group.ToArray();
            var rows = at.Select(i => (int)(found[i].Row & 0xFFFFFFFF)).ToArray();
            var fragment = snapshot.Fragment(group.Key);
            if (snapshot.TryReadRowVectors(fragment, vectorField, dimension, rows) is { } bytes)
            {
                var vectors = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(bytes);
                for (var j = 0; j < at.Length; j++)
                {
                    exact[at[j]] = measure(vectors.Slice(j * dimension, dimension));
                }

                continue;
            }

            using var lease = snapshot.LeaseColumn(fragment, vectorField);
            var values = ArrowTake.FlatValues((FixedSizeListArray)lease.Array);
            for (var j = 0; j < at.Length; j++)
            {
                exact[at[j]] = measure(values.Slice(rows[j] * dimension, dimension));
            }
        }

        return exact;
    }

    private static bool[]? Combine(bool[]? live, bool[]? allowed)
    {
        if (live is null || allowed is null)
        {
            return live ?? allowed;
        }

        var result = new bool[Math.Min(live.Length, allowed.Length)];
        for (var i = 0; i < result.Length; i++)
        {
            result[i] = live[i] && allowed[i];
        }

        return result;
    }
}
