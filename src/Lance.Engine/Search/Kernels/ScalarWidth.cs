using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Lance.Engine.Search.Kernels;

/// <summary>The scalar path: sixteen partial sums in plain floats, in the order every width shares.</summary>
internal readonly struct ScalarWidth : IKernelWidth
{
    /// <inheritdoc/>
    public static KernelWidth Width => KernelWidth.Scalar;

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
        var first = default(SixteenLanes);
        var second = default(SixteenLanes);
        for (; i <= n - 16; i += 16)
        {
            for (var j = 0; j < 16; j++)
            {
                var x = Unsafe.Add(ref ra, i + j);
                var y = Unsafe.Add(ref rb, i + j);
                first[j] = TFirst.Step(first[j], x, y);
                if (dual)
                {
                    second[j] = TSecond.Step(second[j], x, y);
                }
            }
        }

        for (var j = 0; j < 8; j++)
        {
            first[j] += first[j + 8];
            second[j] += second[j + 8];
        }

        if (i <= n - 8)
        {
            for (var j = 0; j < 8; j++)
            {
                var x = Unsafe.Add(ref ra, i + j);
                var y = Unsafe.Add(ref rb, i + j);
                first[j] = TFirst.Step(first[j], x, y);
                if (dual)
                {
                    second[j] = TSecond.Step(second[j], x, y);
                }
            }

            i += 8;
        }

        for (var j = 0; j < 4; j++)
        {
            first[j] += first[j + 4];
            second[j] += second[j + 4];
        }

        var f = (first[0] + first[2]) + (first[1] + first[3]);
        var s = (second[0] + second[2]) + (second[1] + second[3]);
        return PairTail.Finish<TFirst, TSecond>(f, s, ref ra, ref rb, i, n);
    }

    [InlineArray(16)]
    private struct SixteenLanes
    {
        private float _lane;
    }
}
