using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Lance.Engine.Search.Kernels;

/// <summary>The 128-bit path (what ARM64 runs): the sixteen lanes in four registers of four.</summary>
internal readonly struct Simd128 : IKernelWidth
{
    /// <inheritdoc/>
    public static KernelWidth Width => KernelWidth.Vector128;

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
        Vector128<float> f0 = default, f1 = default, f2 = default, f3 = default;
        Vector128<float> s0 = default, s1 = default, s2 = default, s3 = default;
        for (; i <= n - 16; i += 16)
        {
            var x0 = Vector128.LoadUnsafe(ref ra, (nuint)i);
            var y0 = Vector128.LoadUnsafe(ref rb, (nuint)i);
            var x1 = Vector128.LoadUnsafe(ref ra, (nuint)(i + 4));
            var y1 = Vector128.LoadUnsafe(ref rb, (nuint)(i + 4));
            var x2 = Vector128.LoadUnsafe(ref ra, (nuint)(i + 8));
            var y2 = Vector128.LoadUnsafe(ref rb, (nuint)(i + 8));
            var x3 = Vector128.LoadUnsafe(ref ra, (nuint)(i + 12));
            var y3 = Vector128.LoadUnsafe(ref rb, (nuint)(i + 12));
            f0 = TFirst.Step(f0, x0, y0);
            f1 = TFirst.Step(f1, x1, y1);
            f2 = TFirst.Step(f2, x2, y2);
            f3 = TFirst.Step(f3, x3, y3);
            if (dual)
            {
                s0 = TSecond.Step(s0, x0, y0);
                s1 = TSecond.Step(s1, x1, y1);
                s2 = TSecond.Step(s2, x2, y2);
                s3 = TSecond.Step(s3, x3, y3);
            }
        }

        // Lanes j and j + 8: registers 0 and 2 hold lanes 0–3 and 8–11, registers 1 and 3 lanes 4–7 and 12–15.
        var firstLow = f0 + f2;
        var firstHigh = f1 + f3;
        var secondLow = dual ? s0 + s2 : default;
        var secondHigh = dual ? s1 + s3 : default;
        if (i <= n - 8)
        {
            var x0 = Vector128.LoadUnsafe(ref ra, (nuint)i);
            var y0 = Vector128.LoadUnsafe(ref rb, (nuint)i);
            var x1 = Vector128.LoadUnsafe(ref ra, (nuint)(i + 4));
            var y1 = Vector128.LoadUnsafe(ref rb, (nuint)(i + 4));
            firstLow = TFirst.Step(firstLow, x0, y0);
            firstHigh = TFirst.Step(firstHigh, x1, y1);
            if (dual)
            {
                secondLow = TSecond.Step(secondLow, x0, y0);
                secondHigh = TSecond.Step(secondHigh, x1, y1);
            }

            i += 8;
        }

        var f = PairTail.Fold(firstLow + firstHigh);
        var s = dual ? PairTail.Fold(secondLow + secondHigh) : 0f;
        return PairTail.Finish<TFirst, TSecond>(f, s, ref ra, ref rb, i, n);
    }
}
