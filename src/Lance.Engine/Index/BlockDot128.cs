using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Lance.Engine.Index;

/// <summary>
/// <see cref="BlockDot"/> at 128 bits: a block of sixteen columns is 4 registers of 4 lanes, so
/// four rows keep 16 accumulators (ARM64 has 32 vector registers; x64 without AVX-512 spills a few).
/// </summary>
internal static class BlockDot128
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
                var a00 = Vector128<float>.Zero; var a01 = Vector128<float>.Zero; var a02 = Vector128<float>.Zero; var a03 = Vector128<float>.Zero;
                var a10 = Vector128<float>.Zero; var a11 = Vector128<float>.Zero; var a12 = Vector128<float>.Zero; var a13 = Vector128<float>.Zero;
                var a20 = Vector128<float>.Zero; var a21 = Vector128<float>.Zero; var a22 = Vector128<float>.Zero; var a23 = Vector128<float>.Zero;
                var a30 = Vector128<float>.Zero; var a31 = Vector128<float>.Zero; var a32 = Vector128<float>.Zero; var a33 = Vector128<float>.Zero;
                ref var col = ref Unsafe.Add(ref colBase, c);
                for (var d = 0; d < dimension; d++)
                {
                    var c0 = Vector128.LoadUnsafe(ref col);
                    var c1 = Vector128.LoadUnsafe(ref col, 4);
                    var c2 = Vector128.LoadUnsafe(ref col, 8);
                    var c3 = Vector128.LoadUnsafe(ref col, 12);
                    col = ref Unsafe.Add(ref col, paddedColumns);
                    var b = Vector128.Create(Unsafe.Add(ref x0, d));
                    a00 = Vector128.FusedMultiplyAdd(b, c0, a00); a01 = Vector128.FusedMultiplyAdd(b, c1, a01); a02 = Vector128.FusedMultiplyAdd(b, c2, a02); a03 = Vector128.FusedMultiplyAdd(b, c3, a03);
                    b = Vector128.Create(Unsafe.Add(ref x1, d));
                    a10 = Vector128.FusedMultiplyAdd(b, c0, a10); a11 = Vector128.FusedMultiplyAdd(b, c1, a11); a12 = Vector128.FusedMultiplyAdd(b, c2, a12); a13 = Vector128.FusedMultiplyAdd(b, c3, a13);
                    b = Vector128.Create(Unsafe.Add(ref x2, d));
                    a20 = Vector128.FusedMultiplyAdd(b, c0, a20); a21 = Vector128.FusedMultiplyAdd(b, c1, a21); a22 = Vector128.FusedMultiplyAdd(b, c2, a22); a23 = Vector128.FusedMultiplyAdd(b, c3, a23);
                    b = Vector128.Create(Unsafe.Add(ref x3, d));
                    a30 = Vector128.FusedMultiplyAdd(b, c0, a30); a31 = Vector128.FusedMultiplyAdd(b, c1, a31); a32 = Vector128.FusedMultiplyAdd(b, c2, a32); a33 = Vector128.FusedMultiplyAdd(b, c3, a33);
                }

                ref var o = ref Unsafe.Add(ref outBase, (r * paddedColumns) + c);
                a00.StoreUnsafe(ref o); a01.StoreUnsafe(ref o, 4); a02.StoreUnsafe(ref o, 8); a03.StoreUnsafe(ref o, 12);
                o = ref Unsafe.Add(ref o, paddedColumns);
                a10.StoreUnsafe(ref o); a11.StoreUnsafe(ref o, 4); a12.StoreUnsafe(ref o, 8); a13.StoreUnsafe(ref o, 12);
                o = ref Unsafe.Add(ref o, paddedColumns);
                a20.StoreUnsafe(ref o); a21.StoreUnsafe(ref o, 4); a22.StoreUnsafe(ref o, 8); a23.StoreUnsafe(ref o, 12);
                o = ref Unsafe.Add(ref o, paddedColumns);
                a30.StoreUnsafe(ref o); a31.StoreUnsafe(ref o, 4); a32.StoreUnsafe(ref o, 8); a33.StoreUnsafe(ref o, 12);
            }
        }

        for (; r < rowCount; r++)
        {
            ref var x = ref Unsafe.Add(ref rowBase, r * rowStride);
            for (var c = 0; c < paddedColumns; c += BlockDot.ColumnBlock)
            {
                var a0 = Vector128<float>.Zero; var a1 = Vector128<float>.Zero; var a2 = Vector128<float>.Zero; var a3 = Vector128<float>.Zero;
                ref var col = ref Unsafe.Add(ref colBase, c);
                for (var d = 0; d < dimension; d++)
                {
                    var b = Vector128.Create(Unsafe.Add(ref x, d));
                    a0 = Vector128.FusedMultiplyAdd(b, Vector128.LoadUnsafe(ref col), a0);
                    a1 = Vector128.FusedMultiplyAdd(b, Vector128.LoadUnsafe(ref col, 4), a1);
                    a2 = Vector128.FusedMultiplyAdd(b, Vector128.LoadUnsafe(ref col, 8), a2);
                    a3 = Vector128.FusedMultiplyAdd(b, Vector128.LoadUnsafe(ref col, 12), a3);
                    col = ref Unsafe.Add(ref col, paddedColumns);
                }

                ref var o = ref Unsafe.Add(ref outBase, (r * paddedColumns) + c);
                a0.StoreUnsafe(ref o); a1.StoreUnsafe(ref o, 4); a2.StoreUnsafe(ref o, 8); a3.StoreUnsafe(ref o, 12);
            }
        }
    }
}
