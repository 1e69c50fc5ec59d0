using System.Runtime.CompilerServices;

namespace Lance.Engine.Search.Kernels;

/// <summary>
/// Cosine distance, <c>1 − a·b / (‖a‖·‖b‖)</c>; NaN when either vector is all zeros (0 / 0), as in LanceDB, whose searches
/// then leave the row out (so do ours: a NaN distance is never kept). Divided by each norm in turn, as LanceDB does, so
/// that where the sums are exact (small integers, one dimension) the distance has LanceDB's bits: the one division by
/// the product of the norms rounds differently (1 − 1.0000001 = −1.19e-7 there, 0 here, for 7% of 1-d rows).
/// </summary>
internal readonly struct CosineDistance : IDistance
{
    /// <inheritdoc/>
    public static DistanceMetric Metric => DistanceMetric.Cosine;

    /// <inheritdoc/>
    public static bool NeedsVectorNorm => true;

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float QueryTerm<TWidth>(ReadOnlySpan<float> query)
        where TWidth : IKernelWidth
        => MathF.Sqrt(TWidth.Sums<Product, NoSum>(query, query).First);

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Distance<TWidth>(ReadOnlySpan<float> query, float queryTerm, ReadOnlySpan<float> vector)
        where TWidth : IKernelWidth
    {
        var (dot, squaredNorm) = TWidth.Sums<Product, SecondSquared>(query, vector);
        return 1f - (dot / queryTerm / MathF.Sqrt(squaredNorm));
    }

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float DotQueryTerm(float querySquaredNorm) => MathF.Sqrt(querySquaredNorm);

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float FromDot(float dot, float queryTerm, float vectorSquaredNorm)
        => 1 - (dot / queryTerm / MathF.Sqrt(vectorSquaredNorm));
}
