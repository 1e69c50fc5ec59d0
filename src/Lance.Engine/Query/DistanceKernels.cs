using System.Numerics.Tensors;
using System.Runtime.CompilerServices;

namespace Lance.Engine.Query;

/// <summary>One distance function, chosen at compile time so the scan loop is written once.</summary>
internal interface IDistanceKernel
{
    /// <summary>Distance between the query and one stored vector.</summary>
    static abstract float Distance(ReadOnlySpan<float> query, float queryNorm, ReadOnlySpan<float> vector);
}

internal readonly struct L2Kernel : IDistanceKernel
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Distance(ReadOnlySpan<float> query, float queryNorm, ReadOnlySpan<float> vector)
    {
        // LanceDB reports squared L2. TensorPrimitives has no squared-distance primitive, and the
        // expansion q·q − 2q·v + v·v cancels badly for near vectors, so square the true distance:
        // one square root per row is nothing next to the dimension-wide pass.
        var d = TensorPrimitives.Distance(query, vector);
        return d * d;
    }
}

internal readonly struct CosineKernel : IDistanceKernel
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Distance(ReadOnlySpan<float> query, float queryNorm, ReadOnlySpan<float> vector)
    {
        var dot = TensorPrimitives.Dot(query, vector);
        var norm = TensorPrimitives.Norm(vector);
        var denominator = queryNorm * norm;
        return denominator == 0f ? 1f : 1f - (dot / denominator);
    }
}

internal readonly struct DotKernel : IDistanceKernel
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Distance(ReadOnlySpan<float> query, float queryNorm, ReadOnlySpan<float> vector)
        => 1f - TensorPrimitives.Dot(query, vector);
}

/// <summary>Exact nearest-neighbour scan over a flat float buffer of vectors.</summary>
internal static class DistanceKernels
{
    /// <summary>
    /// Scores rows <paramref name="start"/>..<paramref name="end"/> of <paramref name="vectors"/>
    /// (row-major, <paramref name="dimension"/> floats per row) into <paramref name="topK"/>.
    /// Rows for which <paramref name="skip"/> says true (nulls, deleted rows) are left out.
    /// </summary>
    public static void Scan(
        DistanceMetric metric, ReadOnlySpan<float> query, ReadOnlySpan<float> vectors, int dimension,
        int start, int end, long rowIdBase, Func<int, bool>? skip, TopK topK)
    {
        switch (metric)
        {
            case DistanceMetric.L2: Scan<L2Kernel>(query, vectors, dimension, start, end, rowIdBase, skip, topK); break;
            case DistanceMetric.Cosine: Scan<CosineKernel>(query, vectors, dimension, start, end, rowIdBase, skip, topK); break;
            case DistanceMetric.Dot: Scan<DotKernel>(query, vectors, dimension, start, end, rowIdBase, skip, topK); break;
            default: throw new ArgumentOutOfRangeException(nameof(metric), metric, "Unknown distance metric.");
        }
    }

    private static void Scan<TKernel>(
        ReadOnlySpan<float> query, ReadOnlySpan<float> vectors, int dimension,
        int start, int end, long rowIdBase, Func<int, bool>? skip, TopK topK)
        where TKernel : IDistanceKernel
    {
        var queryNorm = TensorPrimitives.Norm(query);
        for (var row = start; row < end; row++)
        {
            if (skip is not null && skip(row))
            {
                continue;
            }

            var distance = TKernel.Distance(query, queryNorm, vectors.Slice(row * dimension, dimension));
            if (float.IsNaN(distance))
            {
                continue;
            }

            topK.Offer(distance, rowIdBase + row);
        }
    }
}
