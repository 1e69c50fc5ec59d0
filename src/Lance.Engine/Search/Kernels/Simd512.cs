using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Lance.Engine.Search.Kernels;

/// <summary>The 512-bit path: the sixteen lanes in one register.</summary>
internal readonly struct Simd512 : IKernelWidth
{
    /// <inheritdoc/>
    public static KernelWidth Width => KernelWidth.Vector512;

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static (float First, float Second) Sums<TFirst, TSecond>(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
        where TFirst : IPairStep
        where TSecond : IPairStep
    {
        ref var ra = ref MemoryMarshal.GetReference(a);
        ref var rb = ref MemoryMarshal.GetReference(b);
        var dual = typeof(TSecond) != typeof(NoSum);
        var n = a.Length;
        var i = 0;
        var first = Vector512<float>.Zero;
        var second = Vector512<float>.Zero;
        for (; i <= n - 16; i += 16)
        {
            var x = Vector512.LoadUnsafe(ref ra, (nuint)i);
            var y = Vector512.LoadUnsafe(ref rb, (nuint)i);
            first = TFirst.Step(first, x, y);
            if (dual)
            {
                second = TSecond.Step(second, x, y);
            }
        }

        var first8 = first.GetLower() + first.GetUpper();
        var second8 = dual ? second.GetLower() + second.GetUpper() : default;
        if (i <= n - 8)
        {
            var x = Vector256.LoadUnsafe(ref ra, (nuint)i);
            var y = Vector256.LoadUnsafe(ref rb, (nuint)i);
            first8 = TFirst.Step(first8, x, y);
            if (dual)
            {
                second8 = TSecond.Step(second8, x, y);
            }

            i += 8;
        }

        var f = PairTail.Fold(first8.GetLower() + first8.GetUpper());
        var s = dual ? PairTail.Fold(second8.GetLower() + second8.GetUpper()) : 0f;
        return PairTail.Finish<TFirst, TSecond>(f, s, ref ra, ref rb, i, n);
    }
}
