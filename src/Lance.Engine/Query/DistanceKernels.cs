using System.Runtime.CompilerServices;
using Lance.Engine.Search.Kernels;

namespace Lance.Engine.Query;

/// <summary>The distance between a fixed query and one vector, with the metric already chosen.</summary>
internal delegate float VectorDistance(ReadOnlySpan<float> vector);

/// <summary>
/// Exact nearest-neighbour kernels over flat float buffers of vectors. Each entry point turns the
/// metric and the width into types once (<see cref="DistanceDispatch"/>) and runs one loop compiled
/// for them; the overloads without a width run at <see cref="KernelWidths.Best"/>.
/// </summary>
internal static class DistanceKernels
{
    /// <summary>
    /// Scores rows <paramref name="start"/>..<paramref name="end"/> of <paramref name="vectors"/>
    /// (row-major, <paramref name="dimension"/> floats per row) into <paramref name="topK"/>.
    /// Rows for which <paramref name="skip"/> says true (nulls, deleted rows) are left out.
    /// </summary>
    /// <remarks>Only distances in [<paramref name="lower"/>, <paramref name="upper"/>) are kept (see <see cref="InRange"/>).</remarks>
    public static void Scan(
        DistanceMetric metric, ReadOnlySpan<float> query, ReadOnlySpan<float> vectors, int dimension,
        int start, int end, long rowIdBase, Func<int, bool>? skip, TopK topK,
        float lower = float.NegativeInfinity, float upper = float.PositiveInfinity)
        => Scan(metric, KernelWidths.Best, query, vectors, dimension, start, end, rowIdBase, skip, topK, lower, upper);

    /// <summary><see cref="Scan(DistanceMetric, ReadOnlySpan{float}, ReadOnlySpan{float}, int, int, int, long, Func{int, bool}?, TopK, float, float)"/> at a given width.</summary>
    public static void Scan(
        DistanceMetric metric, KernelWidth width, ReadOnlySpan<float> query, ReadOnlySpan<float> vectors, int dimension,
        int start, int end, long rowIdBase, Func<int, bool>? skip, TopK topK,
        float lower = float.NegativeInfinity, float upper = float.PositiveInfinity)
    {
        var job = new ScanJob(query, vectors, dimension, start, end, rowIdBase, skip, topK, lower, upper);
        DistanceDispatch.Run(metric, width, ref job);
    }

    /// <summary>
    /// Scores only the rows listed in <paramref name="rows"/> (offsets into <paramref name="vectors"/>,
    /// e.g. those a prefilter let through) into <paramref name="topK"/>: the distance kernel never
    /// touches the other rows.
    /// </summary>
    public static void ScanRows(
        DistanceMetric metric, ReadOnlySpan<float> query, ReadOnlySpan<float> vectors, int dimension,
        ReadOnlySpan<int> rows, long rowIdBase, TopK topK,
        float lower = float.NegativeInfinity, float upper = float.PositiveInfinity)
        => ScanRows(metric, KernelWidths.Best, query, vectors, dimension, rows, rowIdBase, topK, lower, upper);

    /// <summary><see cref="ScanRows(DistanceMetric, ReadOnlySpan{float}, ReadOnlySpan{float}, int, ReadOnlySpan{int}, long, TopK, float, float)"/> at a given width.</summary>
    public static void ScanRows(
        DistanceMetric metric, KernelWidth width, ReadOnlySpan<float> query, ReadOnlySpan<float> vectors, int dimension,
        ReadOnlySpan<int> rows, long rowIdBase, TopK topK,
        float lower = float.NegativeInfinity, float upper = float.PositiveInfinity)
    {
        var job = new ScanRowsJob(query, vectors, dimension, rows, rowIdBase, topK, lower, upper);
        DistanceDispatch.Run(metric, width, ref job);
    }

    /// <summary>
    /// Turns a block of dot products into distances for many queries at once: row r of the block is
    /// <paramref name="vectors"/> row <c>start + r</c>, its dot product with query q is
    /// <c>dots[r * paddedQueries + q]</c>; each query's distances go to its own heap. Rows for which
    /// <paramref name="skip"/> says true are left out, and so are NaN distances.
    /// </summary>
    public static void OfferDots(
        DistanceMetric metric, ReadOnlySpan<float> vectors, int dimension, int start, int count,
        ReadOnlySpan<float> dots, int paddedQueries, ReadOnlySpan<float> querySquaredNorms,
        Func<int, bool>? skip, long rowIdBase, TopK[] heaps)
        => OfferDots(metric, KernelWidths.Best, vectors, dimension, start, count, dots, paddedQueries, querySquaredNorms, skip, rowIdBase, heaps);

    /// <summary><see cref="OfferDots(DistanceMetric, ReadOnlySpan{float}, int, int, int, ReadOnlySpan{float}, int, ReadOnlySpan{float}, Func{int, bool}?, long, TopK[])"/> at a given width.</summary>
    public static void OfferDots(
        DistanceMetric metric, KernelWidth width, ReadOnlySpan<float> vectors, int dimension, int start, int count,
        ReadOnlySpan<float> dots, int paddedQueries, ReadOnlySpan<float> querySquaredNorms,
        Func<int, bool>? skip, long rowIdBase, TopK[] heaps)
    {
        var job = new DotsJob(vectors, dimension, start, count, dots, paddedQueries, querySquaredNorms, skip, rowIdBase, heaps);
        DistanceDispatch.Run(metric, width, ref job);
    }

    /// <summary>The distance from <paramref name="query"/> under <paramref name="metric"/>, chosen once (for re-scoring candidates one by one).</summary>
    public static VectorDistance Measure(DistanceMetric metric, ReadOnlyMemory<float> query)
        => Measure(metric, KernelWidths.Best, query);

    /// <summary><see cref="Measure(DistanceMetric, ReadOnlyMemory{float})"/> at a given width.</summary>
    public static VectorDistance Measure(DistanceMetric metric, KernelWidth width, ReadOnlyMemory<float> query)
    {
        var job = new MeasureJob(query);
        DistanceDispatch.Run(metric, width, ref job);
        return job.Result!;
    }

    /// <summary>
    /// Whether a distance lies in [<paramref name="lower"/>, <paramref name="upper"/>). An unbounded
    /// upper end keeps an infinite distance (a vector with an infinite item), as LanceDB does; NaN is
    /// never kept.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool InRange(float distance, float lower, float upper)
        => distance >= lower && (distance < upper || (float.IsPositiveInfinity(upper) && distance == upper));

    // Fully optimised from the first call: a search must not run its first dozens of queries on
    // unoptimised tier-0 code (measured at 5× slower for the first ~50 searches of 100k × 384).
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Scan<TDistance, TWidth>(
        ReadOnlySpan<float> query, ReadOnlySpan<float> vectors, int dimension,
        int start, int end, long rowIdBase, Func<int, bool>? skip, TopK topK, float lower, float upper)
        where TDistance : IDistance
        where TWidth : IKernelWidth
    {
        var queryTerm = TDistance.QueryTerm<TWidth>(query);
        for (var row = start; row < end; row++)
        {
            if (skip is not null && skip(row))
            {
                continue;
            }

            var distance = TDistance.Distance<TWidth>(query, queryTerm, vectors.Slice(row * dimension, dimension));
            if (InRange(distance, lower, upper))
            {
                topK.Offer(distance, rowIdBase + row);
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void ScanRows<TDistance, TWidth>(
        ReadOnlySpan<float> query, ReadOnlySpan<float> vectors, int dimension,
        ReadOnlySpan<int> rows, long rowIdBase, TopK topK, float lower, float upper)
        where TDistance : IDistance
        where TWidth : IKernelWidth
    {
        var queryTerm = TDistance.QueryTerm<TWidth>(query);
        foreach (var row in rows)
        {
            var distance = TDistance.Distance<TWidth>(query, queryTerm, vectors.Slice(row * dimension, dimension));
            if (InRange(distance, lower, upper))
            {
                topK.Offer(distance, rowIdBase + row);
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void OfferDots<TDistance, TWidth>(
        ReadOnlySpan<float> vectors, int dimension, int start, int count,
        ReadOnlySpan<float> dots, int paddedQueries, ReadOnlySpan<float> querySquaredNorms,
        Func<int, bool>? skip, long rowIdBase, TopK[] heaps)
        where TDistance : IDistance
        where TWidth : IKernelWidth
    {
        var queryCount = querySquaredNorms.Length;
        Span<float> queryTerms = queryCount <= 256 ? stackalloc float[queryCount] : new float[queryCount];
        for (var q = 0; q < queryCount; q++)
        {
            queryTerms[q] = TDistance.DotQueryTerm(querySquaredNorms[q]);
        }

        for (var r = 0; r < count; r++)
        {
            var row = start + r;
            if (skip is not null && skip(row))
            {
                continue;
            }

            var vector = vectors.Slice(row * dimension, dimension);
            var norm = TDistance.NeedsVectorNorm ? TWidth.Sums<Product, NoSum>(vector, vector).First : 0f;
            var rowDots = dots.Slice(r * paddedQueries, queryCount);
            for (var q = 0; q < queryCount; q++)
            {
                var distance = TDistance.FromDot(rowDots[q], queryTerms[q], norm);
                if (!float.IsNaN(distance) && distance <= heaps[q].Threshold)
                {
                    heaps[q].Offer(distance, rowIdBase + row);
                }
            }
        }
    }

    private readonly ref struct ScanJob(
        ReadOnlySpan<float> query, ReadOnlySpan<float> vectors, int dimension,
        int start, int end, long rowIdBase, Func<int, bool>? skip, TopK topK, float lower, float upper) : IDistanceJob
    {
        private readonly ReadOnlySpan<float> _query = query;
        private readonly ReadOnlySpan<float> _vectors = vectors;

        public void Run<TDistance, TWidth>()
            where TDistance : IDistance
            where TWidth : IKernelWidth
            => Scan<TDistance, TWidth>(_query, _vectors, dimension, start, end, rowIdBase, skip, topK, lower, upper);
    }

    private readonly ref struct ScanRowsJob(
        ReadOnlySpan<float> query, ReadOnlySpan<float> vectors, int dimension,
        ReadOnlySpan<int> rows, long rowIdBase, TopK topK, float lower, float upper) : IDistanceJob
    {
        private readonly ReadOnlySpan<float> _query = query;
        private readonly ReadOnlySpan<float> _vectors = vectors;
        private readonly ReadOnlySpan<int> _rows = rows;

        public void Run<TDistance, TWidth>()
            where TDistance : IDistance
            where TWidth : IKernelWidth
            => ScanRows<TDistance, TWidth>(_query, _vectors, dimension, _rows, rowIdBase, topK, lower, upper);
    }

    private readonly ref struct DotsJob(
        ReadOnlySpan<float> vectors, int dimension, int start, int count,
        ReadOnlySpan<float> dots, int paddedQueries, ReadOnlySpan<float> querySquaredNorms,
        Func<int, bool>? skip, long rowIdBase, TopK[] heaps) : IDistanceJob
    {
        private readonly ReadOnlySpan<float> _vectors = vectors;
        private readonly ReadOnlySpan<float> _dots = dots;
        private readonly ReadOnlySpan<float> _norms = querySquaredNorms;

        public void Run<TDistance, TWidth>()
            where TDistance : IDistance
            where TWidth : IKernelWidth
            => OfferDots<TDistance, TWidth>(_vectors, dimension, start, count, _dots, paddedQueries, _norms, skip, rowIdBase, heaps);
    }

    private ref struct MeasureJob(ReadOnlyMemory<float> query) : IDistanceJob
    {
        public VectorDistance? Result { get; private set; }

        public void Run<TDistance, TWidth>()
            where TDistance : IDistance
            where TWidth : IKernelWidth
        {
            var q = query;
            var term = TDistance.QueryTerm<TWidth>(q.Span);
            Result = vector => TDistance.Distance<TWidth>(q.Span, term, vector);
        }
    }
}
