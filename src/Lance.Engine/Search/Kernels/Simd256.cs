using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Lance.Engine.Search.Kernels;

/// <summary>The 256-bit path: the sixteen lanes in two registers (lanes 0–7 and 8–15).</summary>
internal readonly struct Simd256 : IKernelWidth
{
    /// <inheritdoc/>
    public static KernelWidth Width => KernelWidth.Vector256;

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
        var first0 = Vector256<float>.Zero;
        var first1 = Vector256<float>.Zero;
        var second0 = Vector256<float>.Zero;
        var second1 = Vector256<float>.Zero;
        for (; i <= n - 16; i += 16)
        {
            var x0 = Vector256.LoadUnsafe(ref ra, (nuint)i);
            var y0 = Vector256.LoadUnsafe(ref rb, (nuint)i);
            var x1 = Vector256.LoadUnsafe(ref ra, (nuint)(i + 8));
            var y1 = Vector256.LoadUnsafe(ref rb, (nuint)(i + 8));
            first0 = TFirst.Step(first0, x0, y0);
            first1 = TFirst.Step(first1, x1, y1);
            if (dual)
            {
                second0 = TSecond.Step(second0, x0, y0);
                second1 = TSecond.Step(second1, x1, y1);
            }
        }

        var first = first0 + first1;
        var second = dual ? second0 + second1 : default;
        if (i <= n - 8)
        {
            var x = Vector256.LoadUnsafe(ref ra, (nuint)i);
            var y = Vector256.LoadUnsafe(ref rb, (nuint)i);
            first = TFirst.Step(first, x, y);
            if (dual)
            {
                second = TSecond.Step(second, x, y);
            }

            i += 8;
        }

        var f = PairTail.Fold(first.GetLower() + first.GetUpper());
        var s = dual ? PairTail.Fold(second.GetLower() + second.GetUpper()) : 0f;
        return PairTail.Finish<TFirst, TSecond>(f, s, ref ra, ref rb, i, n);
    }
}
