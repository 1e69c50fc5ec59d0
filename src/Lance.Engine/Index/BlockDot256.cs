using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Lance.Engine.Index;

/// <summary>
/// <see cref="BlockDot"/> at 256 bits: a block of sixteen columns is 2 registers of 8 lanes, so
/// four rows keep 8 accumulators.
/// </summary>
internal static class BlockDot256
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
                var a00 = Vector256<float>.Zero; var a01 = Vector256<float>.Zero;
                var a10 = Vector256<float>.Zero; var a11 = Vector256<float>.Zero;
                var a20 = Vector256<float>.Zero; var a21 = Vector256<float>.Zero;
                var a30 = Vector256<float>.Zero; var a31 = Vector256<float>.Zero;
                ref var col = ref Unsafe.Add(ref colBase, c);
                for (var d = 0; d < dimension; d++)
                {
                    var c0 = Vector256.LoadUnsafe(ref col);
                    var c1 = Vector256.LoadUnsafe(ref col, 8);
                    col = ref Unsafe.Add(ref col, paddedColumns);
                    var b = Vector256.Create(Unsafe.Add(ref x0, d));
                    a00 = Vector256.FusedMultiplyAdd(b, c0, a00); a01 = Vector256.FusedMultiplyAdd(b, c1, a01);
                    b = Vector256.Create(Unsafe.Add(ref x1, d));
                    a10 = Vector256.FusedMultiplyAdd(b, c0, a10); a11 = Vector256.FusedMultiplyAdd(b, c1, a11);
                    b = Vector256.Create(Unsafe.Add(ref x2, d));
                    a20 = Vector256.FusedMultiplyAdd(b, c0, a20); a21 = Vector256.FusedMultiplyAdd(b, c1, a21);
                    b = Vector256.Create(Unsafe.Add(ref x3, d));
                    a30 = Vector256.FusedMultiplyAdd(b, c0, a30); a31 = Vector256.FusedMultiplyAdd(b, c1, a31);
                }

                ref var o = ref Unsafe.Add(ref outBase, (r * paddedColumns) + c);
                a00.StoreUnsafe(ref o); a01.StoreUnsafe(ref o, 8);
                o = ref Unsafe.Add(ref o, paddedColumns);
                a10.StoreUnsafe(ref o); a11.StoreUnsafe(ref o, 8);
                o = ref Unsafe.Add(ref o, paddedColumns);
                a20.StoreUnsafe(ref o); a21.StoreUnsafe(ref o, 8);
                o = ref Unsafe.Add(ref o, paddedColumns);
                a30.StoreUnsafe(ref o); a31.StoreUnsafe(ref o, 8);
            }
        }

        for (; r < rowCount; r++)
        {
            ref var x = ref Unsafe.Add(ref rowBase, r * rowStride);
            for (var c = 0; c < paddedColumns; c += BlockDot.ColumnBlock)
            {
                var a0 = Vector256<float>.Zero; var a1 = Vector256<float>.Zero;
                ref var col = ref Unsafe.Add(ref colBase, c);
                for (var d = 0; d < dimension; d++)
                {
                    var b = Vector256.Create(Unsafe.Add(ref x, d));
                    a0 = Vector256.FusedMultiplyAdd(b, Vector256.LoadUnsafe(ref col), a0);
                    a1 = Vector256.FusedMultiplyAdd(b, Vector256.LoadUnsafe(ref col, 8), a1);
                    col = ref Unsafe.Add(ref col, paddedColumns);
                }

                ref var o = ref Unsafe.Add(ref outBase, (r * paddedColumns) + c);
                a0.StoreUnsafe(ref o); a1.StoreUnsafe(ref o, 8);
            }
        }
    }
}
