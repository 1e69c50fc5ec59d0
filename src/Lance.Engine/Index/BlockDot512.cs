using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Lance.Engine.Index;

/// <summary>
/// <see cref="BlockDot"/> at 512 bits: a block of sixteen columns is one register of 16 lanes, so
/// four rows keep 4 accumulators.
/// </summary>
internal static class BlockDot512
{
    /// <summary>The products of <see cref="BlockDot.Compute(ReadOnlySpan{float}, int, int, int, ReadOnlySpan{float}, int, Span{float})"/>; sizes are checked there.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Compute(
        ReadOnlySpan<float> rows, int rowCount, int rowStride, int dimension,
        ReadOnlySpan<float> columnsTransposed, int paddedColumns, Span<float> output)
    {
        ref var rowBase = ref MemoryMarshal.GetReference(rows);
        ref var colBase = ref MemoryMarshal.GetReference(columnsTransposed);
        ref var outBase = ref MemoryMarshal.GetReference(output);
        var r = 0;
        for (; r + 4 <= rowCount; r += 4)
        {
            ref var x0 = ref Unsafe.Add(ref rowBase, r * rowStride);
            ref var x1 = ref Unsafe.Add(ref x0, rowStride);
            ref var x2 = ref Unsafe.Add(ref x1, rowStride);
            ref var x3 = ref Unsafe.Add(ref x2, rowStride);
            for (var c = 0; c < paddedColumns; c += BlockDot.ColumnBlock)
            {
                var a00 = Vector512<float>.Zero;
                var a10 = Vector512<float>.Zero;
                var a20 = Vector512<float>.Zero;
                var a30 = Vector512<float>.Zero;
                ref var col = ref Unsafe.Add(ref colBase, c);
                for (var d = 0; d < dimension; d++)
                {
                    var c0 = Vector512.LoadUnsafe(ref col);
                    col = ref Unsafe.Add(ref col, paddedColumns);
                    var b = Vector512.Create(Unsafe.Add(ref x0, d));
                    a00 = Vector512.FusedMultiplyAdd(b, c0, a00);
                    b = Vector512.Create(Unsafe.Add(ref x1, d));
                    a10 = Vector512.FusedMultiplyAdd(b, c0, a10);
                    b = Vector512.Create(Unsafe.Add(ref x2, d));
                    a20 = Vector512.FusedMultiplyAdd(b, c0, a20);
                    b = Vector512.Create(Unsafe.Add(ref x3, d));
                    a30 = Vector512.FusedMultiplyAdd(b, c0, a30);
                }

                ref var o = ref Unsafe.Add(ref outBase, (r * paddedColumns) + c);
                a00.StoreUnsafe(ref o);
                o = ref Unsafe.Add(ref o, paddedColumns);
                a10.StoreUnsafe(ref o);
                o = ref Unsafe.Add(ref o, paddedColumns);
                a20.StoreUnsafe(ref o);
                o = ref Unsafe.Add(ref o, paddedColumns);
                a30.StoreUnsafe(ref o);
            }
        }

        for (; r < rowCount; r++)
        {
            ref var x = ref Unsafe.Add(ref rowBase, r * rowStride);
            for (var c = 0; c < paddedColumns; c += BlockDot.ColumnBlock)
            {
                var a0 = Vector512<float>.Zero;
                ref var col = ref Unsafe.Add(ref colBase, c);
                for (var d = 0; d < dimension; d++)
                {
                    var b = Vector512.Create(Unsafe.Add(ref x, d));
                    a0 = Vector512.FusedMultiplyAdd(b, Vector512.LoadUnsafe(ref col), a0);
                    col = ref Unsafe.Add(ref col, paddedColumns);
                }

                ref var o = ref Unsafe.Add(ref outBase, (r * paddedColumns) + c);
                a0.StoreUnsafe(ref o);
            }
        }
    }
}
