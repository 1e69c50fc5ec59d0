using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Lance.Engine.Search.Kernels;

/// <summary>Σ x·y, the dot product.</summary>
internal readonly struct Product : IPairStep
{
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Step(float acc, float x, float y)
    {
        return acc + (x * y);
    }

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Step(Vector128<float> acc, Vector128<float> x, Vector128<float> y)
    {
        return acc + (x * y);
    }

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Step(Vector256<float> acc, Vector256<float> x, Vector256<float> y)
    {
        return acc + (x * y);
    }

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Step(Vector512<float> acc, Vector512<float> x, Vector512<float> y)
    {
        return acc + (x * y);
    }
}
