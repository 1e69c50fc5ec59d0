using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Lance.Engine.Query;

/// <summary>One distance function, chosen at compile time so the scan loop is written once.</summary>
internal interface IDistanceKernel
{
    /// <summary>Distance between the query and one stored vector.</summary>
    static abstract float Distance(ReadOnlySpan<float> query, float queryNorm, ReadOnlySpan<float> vector);
}

internal readonly struct L2Kernel : IDistanceKernel
{
    // LanceDB reports squared L2.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Distance(ReadOnlySpan<float> query, float queryNorm, ReadOnlySpan<float> vector)
        => SimdLoops.SquaredDistance(query, vector);
}

internal readonly struct CosineKernel : IDistanceKernel
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Distance(ReadOnlySpan<float> query, float queryNorm, ReadOnlySpan<float> vector)
    {
        var (dot, squaredNorm) = SimdLoops.DotAndSquaredNorm(query, vector);
        var denominator = queryNorm * MathF.Sqrt(squaredNorm);
        return denominator == 0f ? 1f : 1f - (dot / denominator);
    }
}

internal readonly struct DotKernel : IDistanceKernel
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Distance(ReadOnlySpan<float> query, float queryNorm, ReadOnlySpan<float> vector)
        => 1f - SimdLoops.Dot(query, vector);
}

/// <summary>One step of a pairwise reduction, in vector and scalar form: <c>acc + f(x, y)</c>.</summary>
internal interface IPairReduction
{
    static abstract Vector256<float> Step(Vector256<float> acc, Vector256<float> x, Vector256<float> y);

    static abstract float Step(float acc, float x, float y);
}

internal readonly struct SquaredDifference : IPairReduction
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Step(Vector256<float> acc, Vector256<float> x, Vector256<float> y)
    {
        var d = x - y;
        return acc + (d * d);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Step(float acc, float x, float y) => acc + ((x - y) * (x - y));
}

internal readonly struct Product : IPairReduction
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Step(Vector256<float> acc, Vector256<float> x, Vector256<float> y) => acc + (x * y);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Step(float acc, float x, float y) => acc + (x * y);
}

/// <summary>
/// The per-row loops, inlined into the scan. They are written here rather than called from
/// TensorPrimitives because the scan is compiled fully optimised on its first call, and a call
/// into another assembly's method would run unoptimised (tier-0) code for the first dozens of
/// queries — measured at 5× slower for the first ~50 searches of 100k × 384.
/// </summary>
internal static class SimdLoops
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float SquaredDistance(ReadOnlySpan<float> a, ReadOnlySpan<float> b) => Reduce<SquaredDifference>(a, b);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Dot(ReadOnlySpan<float> a, ReadOnlySpan<float> b) => Reduce<Product>(a, b);

    /// <summary>Σ f(aᵢ, bᵢ) with two 256-bit accumulators, then a scalar tail.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Reduce<TOp>(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
        where TOp : IPairReduction
    {
        ref var ra = ref MemoryMarshal.GetReference(a);
        ref var rb = ref MemoryMarshal.GetReference(b);
        var n = a.Length;
        var i = 0;
        var sum = 0f;
        if (Vector256.IsHardwareAccelerated)
        {
            var acc0 = Vector256<float>.Zero;
            var acc1 = Vector256<float>.Zero;
            for (; i <= n - 16; i += 16)
            {
                acc0 = TOp.Step(acc0, Vector256.LoadUnsafe(ref ra, (nuint)i), Vector256.LoadUnsafe(ref rb, (nuint)i));
                acc1 = TOp.Step(acc1, Vector256.LoadUnsafe(ref ra, (nuint)(i + 8)), Vector256.LoadUnsafe(ref rb, (nuint)(i + 8)));
            }

            for (; i <= n - 8; i += 8)
            {
                acc0 = TOp.Step(acc0, Vector256.LoadUnsafe(ref ra, (nuint)i), Vector256.LoadUnsafe(ref rb, (nuint)i));
            }

            sum = Vector256.Sum(acc0 + acc1);
        }

        for (; i < n; i++)
        {
            sum = TOp.Step(sum, Unsafe.Add(ref ra, i), Unsafe.Add(ref rb, i));
        }

        return sum;
    }

    /// <summary>a·b and b·b in one pass over b.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static (float Dot, float SquaredNorm) DotAndSquaredNorm(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        ref var ra = ref MemoryMarshal.GetReference(a);
        ref var rb = ref MemoryMarshal.GetReference(b);
        var n = a.Length;
        var i = 0;
        float dot = 0f, norm = 0f;
        if (Vector256.IsHardwareAccelerated)
        {
            var accDot = Vector256<float>.Zero;
            var accNorm = Vector256<float>.Zero;
            for (; i <= n - 8; i += 8)
            {
                var x = Vector256.LoadUnsafe(ref ra, (nuint)i);
                var y = Vector256.LoadUnsafe(ref rb, (nuint)i);
                accDot += x * y;
                accNorm += y * y;
            }

            dot = Vector256.Sum(accDot);
            norm = Vector256.Sum(accNorm);
        }

        for (; i < n; i++)
        {
            var y = Unsafe.Add(ref rb, i);
            dot += Unsafe.Add(ref ra, i) * y;
            norm += y * y;
        }

        return (dot, norm);
    }
}

/// <summary>Exact nearest-neighbour scan over a flat float buffer of vectors.</summary>
internal static class DistanceKernels
{
    /// <summary>
    /// Scores rows <paramref name="start"/>..<paramref name="end"/> of <paramref name="vectors"/>
    /// (row-major, <paramref name="dimension"/> floats per row) into <paramref name="topK"/>.
    /// Rows for which <paramref name="skip"/> says true (nulls, deleted rows) are left out.
    /// </summary>
    /// <remarks>Only distances in [<paramref name="lower"/>, <paramref name="upper"/>) are kept (NaN never is).</remarks>
    public static void Scan(
        DistanceMetric metric, ReadOnlySpan<float> query, ReadOnlySpan<float> vectors, int dimension,
        int start, int end, long rowIdBase, Func<int, bool>? skip, TopK topK,
        float lower = float.NegativeInfinity, float upper = float.PositiveInfinity)
    {
        switch (metric)
        {
            case DistanceMetric.L2: Scan<L2Kernel>(query, vectors, dimension, start, end, rowIdBase, skip, topK, lower, upper); break;
            case DistanceMetric.Cosine: Scan<CosineKernel>(query, vectors, dimension, start, end, rowIdBase, skip, topK, lower, upper); break;
            case DistanceMetric.Dot: Scan<DotKernel>(query, vectors, dimension, start, end, rowIdBase, skip, topK, lower, upper); break;
            default: throw new ArgumentOutOfRangeException(nameof(metric), metric, "Unknown distance metric.");
        }
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
    {
        switch (metric)
        {
            case DistanceMetric.L2: ScanRows<L2Kernel>(query, vectors, dimension, rows, rowIdBase, topK, lower, upper); break;
            case DistanceMetric.Cosine: ScanRows<CosineKernel>(query, vectors, dimension, rows, rowIdBase, topK, lower, upper); break;
            case DistanceMetric.Dot: ScanRows<DotKernel>(query, vectors, dimension, rows, rowIdBase, topK, lower, upper); break;
            default: throw new ArgumentOutOfRangeException(nameof(metric), metric, "Unknown distance metric.");
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void ScanRows<TKernel>(
        ReadOnlySpan<float> query, ReadOnlySpan<float> vectors, int dimension,
        ReadOnlySpan<int> rows, long rowIdBase, TopK topK, float lower, float upper)
        where TKernel : IDistanceKernel
    {
        var queryNorm = TensorPrimitives.Norm(query);
        foreach (var row in rows)
        {
            var distance = TKernel.Distance(query, queryNorm, vectors.Slice(row * dimension, dimension));
            if (!InRange(distance, lower, upper))
            {
                continue;
            }

            topK.Offer(distance, rowIdBase + row);
        }
    }

    // Fully optimised from the first call: a search must not run its first dozens of queries on
    // unoptimised tier-0 code.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Scan<TKernel>(
        ReadOnlySpan<float> query, ReadOnlySpan<float> vectors, int dimension,
        int start, int end, long rowIdBase, Func<int, bool>? skip, TopK topK, float lower, float upper)
        where TKernel : IDistanceKernel
    {
        // Once per query, so the library call is fine here.
        var queryNorm = TensorPrimitives.Norm(query);
        for (var row = start; row < end; row++)
        {
            if (skip is not null && skip(row))
            {
                continue;
            }

            var distance = TKernel.Distance(query, queryNorm, vectors.Slice(row * dimension, dimension));
            // Also drops NaN, which compares false with everything.
            if (!InRange(distance, lower, upper))
            {
                continue;
            }

            topK.Offer(distance, rowIdBase + row);
        }
    }

    /// <summary>
    /// Whether a distance lies in [<paramref name="lower"/>, <paramref name="upper"/>). An unbounded
    /// upper end keeps an infinite distance (a vector with an infinite item), as LanceDB does; NaN is
    /// never kept.
    /// </summary>
    public static bool InRange(float distance, float lower, float upper)
        => distance >= lower && (distance < upper || (float.IsPositiveInfinity(upper) && distance == upper));
}
