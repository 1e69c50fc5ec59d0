using System.Runtime.CompilerServices;

namespace Lance.Engine.Search.Kernels;

/// <summary>Cosine distance, <c>1 − a·b / (‖a‖·‖b‖)</c>; 1 when either vector is all zeros.</summary>
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
        var denominator = queryTerm * MathF.Sqrt(squaredNorm);
        return denominator == 0f ? 1f : 1f - (dot / denominator);
    }

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float FromDot(float dot, float querySquaredNorm, float vectorSquaredNorm)
        => querySquaredNorm * vectorSquaredNorm == 0 ? 1 : 1 - (dot / MathF.Sqrt(querySquaredNorm * vectorSquaredNorm));
}
