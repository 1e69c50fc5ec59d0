using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Lance.Engine.Index;

/// <summary>
/// Dot products between many row vectors and many "column" vectors stored transposed, computed as
/// a small matrix multiplication: four rows at a time against sixteen columns held in eight
/// 256-bit accumulators, so every column load feeds four fused multiply-adds. This one kernel
/// serves k-means assignment, PQ encoding, ADC table building and batched exact search.
/// </summary>
internal static class BlockDot
{
    /// <summary>The column count is padded to a multiple of this.</summary>
    public const int ColumnBlock = 16;

    /// <summary>Rounds a column count up to the kernel's block.</summary>
    public static int Pad(int columns) => (columns + ColumnBlock - 1) / ColumnBlock * ColumnBlock;

    /// <summary>
    /// Transposes <paramref name="columns"/> (<paramref name="count"/> vectors of
    /// <paramref name="dimension"/> floats, row-major) into <c>[dimension][Pad(count)]</c>, zero-padded.
    /// </summary>
    public static float[] Transpose(ReadOnlySpan<float> columns, int count, int dimension)
    {
        var padded = Pad(count);
        var result = new float[dimension * padded];
        for (var c = 0; c < count; c++)
        {
            var vector = columns.Slice(c * dimension, dimension);
            for (var d = 0; d < dimension; d++)
            {
                result[(d * padded) + c] = vector[d];
            }
        }

        return result;
    }

    /// <summary>
    /// Writes <c>rows[r] · column[c]</c> to <c>output[r * paddedColumns + c]</c> for
    /// <paramref name="rowCount"/> rows read from <paramref name="rows"/> with a stride of
    /// <paramref name="rowStride"/> floats (the first <paramref name="dimension"/> are used).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Compute(
        ReadOnlySpan<float> rows, int rowCount, int rowStride, int dimension,
        ReadOnlySpan<float> columnsTransposed, int paddedColumns, Span<float> output)
    {
        if (output.Length < rowCount * paddedColumns || columnsTransposed.Length < dimension * paddedColumns)
        {
            throw new ArgumentException("The output or column buffer is too small.", nameof(output));
        }

        if (!Vector256.IsHardwareAccelerated)
        {
            ComputeScalar(rows, rowCount, rowStride, dimension, columnsTransposed, paddedColumns, output);
            return;
        }

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
            for (var c = 0; c < paddedColumns; c += ColumnBlock)
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
            for (var c = 0; c < paddedColumns; c += ColumnBlock)
            {
                var a0 = Vector256<float>.Zero;
                var a1 = Vector256<float>.Zero;
                ref var col = ref Unsafe.Add(ref colBase, c);
                for (var d = 0; d < dimension; d++)
                {
                    var b = Vector256.Create(Unsafe.Add(ref x, d));
                    a0 = Vector256.FusedMultiplyAdd(b, Vector256.LoadUnsafe(ref col), a0);
                    a1 = Vector256.FusedMultiplyAdd(b, Vector256.LoadUnsafe(ref col, 8), a1);
                    col = ref Unsafe.Add(ref col, paddedColumns);
                }

                ref var o = ref Unsafe.Add(ref outBase, (r * paddedColumns) + c);
                a0.StoreUnsafe(ref o);
                a1.StoreUnsafe(ref o, 8);
            }
        }
    }

    private static void ComputeScalar(
        ReadOnlySpan<float> rows, int rowCount, int rowStride, int dimension,
        ReadOnlySpan<float> columnsTransposed, int paddedColumns, Span<float> output)
    {
        for (var r = 0; r < rowCount; r++)
        {
            var x = rows.Slice(r * rowStride, dimension);
            var o = output.Slice(r * paddedColumns, paddedColumns);
            o.Clear();
            for (var d = 0; d < dimension; d++)
            {
                var col = columnsTransposed.Slice(d * paddedColumns, paddedColumns);
                for (var c = 0; c < paddedColumns; c++)
                {
                    o[c] += x[d] * col[c];
                }
            }
        }
    }

    /// <summary>
    /// The index c below <paramref name="dots"/>.Length minimising <c>norms[c] − 2·dots[c]</c>
    /// (the squared L2 distance less the row's own norm), lowest index on ties, and that score.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static int ArgMin(ReadOnlySpan<float> dots, ReadOnlySpan<float> norms, out float bestScore)
    {
        var n = dots.Length;
        var c = 0;
        var best = 0;
        bestScore = float.PositiveInfinity;
        if (Vector256.IsHardwareAccelerated && n >= 8)
        {
            ref var d = ref MemoryMarshal.GetReference(dots);
            ref var m = ref MemoryMarshal.GetReference(norms);
            var bestValues = Vector256.Create(float.PositiveInfinity);
            var bestIndices = Vector256<int>.Zero;
            var indices = Vector256.Create(0, 1, 2, 3, 4, 5, 6, 7);
            var step = Vector256.Create(8);
            var two = Vector256.Create(2f);
            for (; c <= n - 8; c += 8)
            {
                var score = Vector256.LoadUnsafe(ref m, (nuint)c) - (two * Vector256.LoadUnsafe(ref d, (nuint)c));
                var less = Vector256.LessThan(score, bestValues);
                bestValues = Vector256.ConditionalSelect(less, score, bestValues);
                bestIndices = Vector256.ConditionalSelect(less.AsInt32(), indices, bestIndices);
                indices += step;
            }

            for (var lane = 0; lane < 8; lane++)
            {
                var value = bestValues.GetElement(lane);
                var index = bestIndices.GetElement(lane);
                if (value < bestScore || (value == bestScore && index < best))
                {
                    bestScore = value;
                    best = index;
                }
            }
        }

        for (; c < n; c++)
        {
            var score = norms[c] - (2 * dots[c]);
            if (score < bestScore)
            {
                bestScore = score;
                best = c;
            }
        }

        return best;
    }

    /// <summary>Squared norms of <paramref name="count"/> row-major vectors.</summary>
    public static float[] SquaredNorms(ReadOnlySpan<float> vectors, int count, int dimension)
    {
        var norms = new float[count];
        for (var i = 0; i < count; i++)
        {
            var v = vectors.Slice(i * dimension, dimension);
            norms[i] = Query.SimdLoops.Dot(v, v);
        }

        return norms;
    }
}
