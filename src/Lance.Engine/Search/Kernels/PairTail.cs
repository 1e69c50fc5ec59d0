using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Lance.Engine.Search.Kernels;

/// <summary>The end every width shares: the last four lanes folded, then the last elements one by one.</summary>
internal static class PairTail
{
    /// <summary>Folds four lanes as <c>(l0 + l2) + (l1 + l3)</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Fold(Vector128<float> lanes)
        => (lanes.GetElement(0) + lanes.GetElement(2)) + (lanes.GetElement(1) + lanes.GetElement(3));

    /// <summary>Adds elements <paramref name="i"/>..<paramref name="n"/> one by one to the folded sums.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static (float First, float Second) Finish<TFirst, TSecond>(float first, float second, ref float ra, ref float rb, int i, int n)
        where TFirst : IPairStep
        where TSecond : IPairStep
    {
        for (; i < n; i++)
        {
            var x = Unsafe.Add(ref ra, i);
            var y = Unsafe.Add(ref rb, i);
            first = TFirst.Step(first, x, y);
            second = TSecond.Step(second, x, y);
        }

        return (first, second);
    }
}
