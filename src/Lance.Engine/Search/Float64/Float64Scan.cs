using Apache.Arrow;
using Apache.Arrow.Types;
using Lance.Engine.Query;

namespace Lance.Engine.Search.Float64;

/// <summary>
/// Exact search over float64 vectors in float64 arithmetic (so values beyond float32's range measure
/// as LanceDB measures them), each distance rounded to float32 at the end (cosine rounds its two sums
/// first and finishes in float32, as LanceDB's does). The metric becomes a type
/// once per call (<see cref="IFloat64Distance"/>), never tested per row.
/// </summary>
internal static class Float64Scan
{
    /// <summary>Scores <paramref name="rows"/> (offsets into <paramref name="vectors"/>) into <paramref name="topK"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The metric does not measure float vectors.</exception>
    public static void SearchRows(DistanceMetric metric, ReadOnlySpan<float> query, FixedSizeListArray vectors, ReadOnlySpan<int> rows, long rowIdBase, TopK topK, float lower, float upper)
    {
        switch (metric)
        {
            case DistanceMetric.L2: Scan<Float64L2>(query, vectors, rows, rowIdBase, topK, lower, upper); break;
            case DistanceMetric.Cosine: Scan<Float64Cosine>(query, vectors, rows, rowIdBase, topK, lower, upper); break;
            case DistanceMetric.Dot: Scan<Float64Dot>(query, vectors, rows, rowIdBase, topK, lower, upper); break;
            default: throw new ArgumentOutOfRangeException(nameof(metric), metric, $"The distance {metric} does not measure float64 vectors.");
        }
    }

    private static void Scan<TDistance>(ReadOnlySpan<float> query, FixedSizeListArray vectors, ReadOnlySpan<int> rows, long rowIdBase, TopK topK, float lower, float upper)
        where TDistance : IFloat64Distance
    {
        var dimension = ((FixedSizeListType)vectors.Data.DataType).ListSize;
        var flat = ((DoubleArray)vectors.Values).Values;
        var q = new double[query.Length];
        var queryNorm = 0.0;
        for (var i = 0; i < q.Length; i++)
        {
            q[i] = query[i];
            queryNorm += q[i] * q[i];
        }

        foreach (var row in rows)
        {
            var distance = (float)TDistance.Distance(q, queryNorm, flat.Slice((vectors.Offset + row) * dimension, dimension));
            if (DistanceKernels.InRange(distance, lower, upper))
            {
                topK.Offer(distance, rowIdBase + row);
            }
        }
    }
}
