using System.Runtime.CompilerServices;

namespace Lance.Engine.Search.Kernels;

/// <summary>Squared Euclidean distance, <c>Σ (a − b)²</c> (LanceDB reports it squared).</summary>
internal readonly struct L2Distance : IDistance
{
    /// <inheritdoc/>
    public static DistanceMetric Metric => DistanceMetric.L2;

    /// <inheritdoc/>
    public static bool NeedsVectorNorm => true;

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float QueryTerm<TWidth>(ReadOnlySpan<float> query)
        where TWidth : IKernelWidth
        => 0f;

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Distance<TWidth>(ReadOnlySpan<float> query, float queryTerm, ReadOnlySpan<float> vector)
        where TWidth : IKernelWidth
        => TWidth.Sums<SquaredDifference, NoSum>(query, vector).First;

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float DotQueryTerm(float querySquaredNorm) => querySquaredNorm;

    /// <inheritdoc/>
    // ‖q‖² + ‖x‖² − 2·q·x can round below zero for near-identical vectors.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float FromDot(float dot, float queryTerm, float vectorSquaredNorm)
        => Math.Max(0, queryTerm + vectorSquaredNorm - (2 * dot));
}
