using Apache.Arrow;
using Lance.Engine.Arrow;
using Lance.Engine.Query;

namespace Lance.Engine.Dataset;

/// <summary>
/// Scores the vectors of one piece of a fragment's column into a <see cref="TopK"/>: all rows but
/// deleted and null ones, or a list of rows, split into blocks that run in parallel on separate heaps
/// merged after. Shared by exact search and by the exact part of an indexed search.
/// </summary>
internal static class ExactScan
{
    private const int SearchBlockRows = 16 * 1024;

    /// <summary>Scores <paramref name="rows"/> (offsets into <paramref name="vectors"/>).</summary>
    public static void SearchRows(VectorSearchRequest request, FixedSizeListArray vectors, int dimension, int[] rows, long rowIdBase, TopK topK, float lower, float upper)
    {
        var blocks = (rows.Length + SearchBlockRows - 1) / SearchBlockRows;
        if (blocks <= 1 || Environment.ProcessorCount == 1)
        {
            DistanceKernels.ScanRows(request.Metric, request.Query.Span, ArrowTake.FlatValues(vectors), dimension, rows, rowIdBase, topK, lower, upper);
            return;
        }

        var partials = new TopK[blocks];
        ParallelLoops.For(0, blocks, block =>
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

    /// <summary>The rows of <paramref name="rows"/> whose vector is not null.</summary>
    public static int[] NonNull(FixedSizeListArray vectors, int[] rows) => vectors.NullCount > 0 ? rows.Where(r => !vectors.IsNull(r)).ToArray() : rows;

    /// <summary>The rows of <paramref name="vectors"/> that are neither null nor deleted (<paramref name="deleted"/> counts from <paramref name="firstRow"/>).</summary>
    public static int[] LiveRows(FixedSizeListArray vectors, HashSet<int> deleted, int firstRow)
    {
        var rows = new List<int>(vectors.Length);
        for (var row = 0; row < vectors.Length; row++)
        {
            if (!(vectors.NullCount > 0 && vectors.IsNull(row)) && !deleted.Contains(firstRow + row))
            {
                rows.Add(row);
            }
        }

        return [.. rows];
    }

    /// <summary>The rows of <paramref name="passing"/> (ascending fragment rows) that fall in [first, first + count), made relative to first.</summary>
    public static int[] RowsWithin(int[] passing, int first, int count)
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

    /// <summary>Scores every live, non-null row of <paramref name="vectors"/>, which are the fragment's rows from <paramref name="firstRow"/> on.</summary>
    public static void SearchFragment(
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
        ParallelLoops.For(0, blocks, block =>
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
}
