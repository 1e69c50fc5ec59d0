using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Lance.Engine.Search.Kernels;

/// <summary>No sum: the second sum of a kernel that needs only one (the loop leaves it out at JIT time).</summary>
internal readonly struct NoSum : IPairStep
{
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Step(float acc, float x, float y)
    {
        return acc;
    }

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Step(Vector128<float> acc, Vector128<float> x, Vector128<float> y)
    {
        return acc;
    }

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Step(Vector256<float> acc, Vector256<float> x, Vector256<float> y)
    {
        return acc;
    }

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Step(Vector512<float> acc, Vector512<float> x, Vector512<float> y)
    {
        return acc;
    }
}
