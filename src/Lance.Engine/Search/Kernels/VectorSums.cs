using System.Runtime.CompilerServices;

namespace Lance.Engine.Search.Kernels;

/// <summary>
/// Dot products and squared distances of two vectors for code outside a generic kernel (k-means,
/// index preparation): the width is picked per call, here, rather than by the caller.
/// </summary>
internal static class VectorSums
{
    /// <summary><c>a · b</c> at <see cref="KernelWidths.Best"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Dot(ReadOnlySpan<float> a, ReadOnlySpan<float> b) => Sum<Product>(a, b, KernelWidths.Best);

    /// <summary><c>Σ (a − b)²</c> at <see cref="KernelWidths.Best"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float SquaredDistance(ReadOnlySpan<float> a, ReadOnlySpan<float> b) => Sum<SquaredDifference>(a, b, KernelWidths.Best);

    /// <summary><c>Σ TStep(aᵢ, bᵢ)</c> at <paramref name="width"/>.</summary>
    public static float Sum<TStep>(ReadOnlySpan<float> a, ReadOnlySpan<float> b, KernelWidth width)
        where TStep : IPairStep
    {
        if (a.Length != b.Length)
        {
            throw new ArgumentException($"The vectors differ in length ({a.Length} and {b.Length}).", nameof(b));
        }

        return width switch
        {
            KernelWidth.Vector512 => Simd512.Sums<TStep, NoSum>(a, b).First,
            KernelWidth.Vector256 => Simd256.Sums<TStep, NoSum>(a, b).First,
            KernelWidth.Vector128 => Simd128.Sums<TStep, NoSum>(a, b).First,
            _ => ScalarWidth.Sums<TStep, NoSum>(a, b).First,
        };
    }
}
