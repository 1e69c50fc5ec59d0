using System.Runtime.CompilerServices;

namespace Lance.Engine.Search.Kernels;

/// <summary>Dot-product distance, <c>1 − a·b</c> (smaller is more similar).</summary>
internal readonly struct DotDistance : IDistance
{
    /// <inheritdoc/>
    public static DistanceMetric Metric => DistanceMetric.Dot;

    /// <inheritdoc/>
    public static bool NeedsVectorNorm => false;

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float QueryTerm<TWidth>(ReadOnlySpan<float> query)
        where TWidth : IKernelWidth
        => 0f;

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Distance<TWidth>(ReadOnlySpan<float> query, float queryTerm, ReadOnlySpan<float> vector)
        where TWidth : IKernelWidth
        => 1f - TWidth.Sums<Product, NoSum>(query, vector).First;

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float DotQueryTerm(float querySquaredNorm) => 0;

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float FromDot(float dot, float queryTerm, float vectorSquaredNorm)
        => 1 - dot;
}
