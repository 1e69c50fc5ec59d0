using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using Lance.Engine.Search.Kernels;

namespace Lance.Engine.Index;

/// <summary>
/// Dot products between many row vectors and many "column" vectors stored transposed, computed as
/// a small matrix multiplication: four rows at a time against a block of sixteen columns, so every
/// column load feeds four fused multiply-adds (<see cref="BlockDot512"/>, <see cref="BlockDot256"/>,
/// <see cref="BlockDot128"/> hold the block in one, two or four registers). This one kernel serves
/// k-means assignment, PQ encoding, ADC table building and batched exact search.
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
    /// <remarks>
    /// Each product is one chain of fused multiply-adds in dimension order, whatever the width
    /// (the widths differ only in how many columns share an instruction), so every width returns
    /// the same bits.
    /// </remarks>
    public static void Compute(
        ReadOnlySpan<float> rows, int rowCount, int rowStride, int dimension,
        ReadOnlySpan<float> columnsTransposed, int paddedColumns, Span<float> output)
        => Compute(KernelWidths.Best, rows, rowCount, rowStride, dimension, columnsTransposed, paddedColumns, output);

    /// <summary><see cref="Compute(ReadOnlySpan{float}, int, int, int, ReadOnlySpan{float}, int, Span{float})"/> at a given width.</summary>
    public static void Compute(
        KernelWidth width, ReadOnlySpan<float> rows, int rowCount, int rowStride, int dimension,
        ReadOnlySpan<float> columnsTransposed, int paddedColumns, Span<float> output)
    {
        if (output.Length < rowCount * paddedColumns || columnsTransposed.Length < dimension * paddedColumns
            || paddedColumns % ColumnBlock != 0
            || (rowCount > 0 && rows.Length < ((rowCount - 1) * rowStride) + dimension))
        {
            throw new ArgumentException("The row, column or output buffer does not fit the sizes given.", nameof(output));
        }

        switch (width)
        {
            case KernelWidth.Vector512: BlockDot512.Compute(rows, rowCount, rowStride, dimension, columnsTransposed, paddedColumns, output); break;
            case KernelWidth.Vector256: BlockDot256.Compute(rows, rowCount, rowStride, dimension, columnsTransposed, paddedColumns, output); break;
            case KernelWidth.Vector128: BlockDot128.Compute(rows, rowCount, rowStride, dimension, columnsTransposed, paddedColumns, output); break;
            default: ComputeScalar(rows, rowCount, rowStride, dimension, columnsTransposed, paddedColumns, output); break;
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
                    o[c] = MathF.FusedMultiplyAdd(x[d], col[c], o[c]);
                }
            }
        }
    }

    /// <summary>
    /// The index c below <paramref name="dots"/>.Length minimising <c>norms[c] − 2·dots[c]</c>
    /// (the squared L2 distance less the row's own norm), lowest index on ties, and that score.
    /// </summary>
    public static int ArgMin(ReadOnlySpan<float> dots, ReadOnlySpan<float> norms, out float bestScore)
        => ArgMin(KernelWidths.Best, dots, norms, out bestScore);

    /// <summary><see cref="ArgMin(ReadOnlySpan{float}, ReadOnlySpan{float}, out float)"/> at a given width.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static int ArgMin(KernelWidth width, ReadOnlySpan<float> dots, ReadOnlySpan<float> norms, out float bestScore)
    {
        if (norms.Length < dots.Length)
        {
            throw new ArgumentException("There are fewer norms than dot products.", nameof(norms));
        }

        var n = dots.Length;
        var c = 0;
        var best = 0;
        bestScore = float.PositiveInfinity;
        ref var d = ref MemoryMarshal.GetReference(dots);
        ref var m = ref MemoryMarshal.GetReference(norms);
        if (width == KernelWidth.Vector512 && n >= 16)
        {
            var bestValues = Vector512.Create(float.PositiveInfinity);
            var bestIndices = Vector512<int>.Zero;
            var indices = Vector512.Create(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
            var step = Vector512.Create(16);
            var two = Vector512.Create(2f);
            for (; c <= n - 16; c += 16)
            {
                var score = Vector512.LoadUnsafe(ref m, (nuint)c) - (two * Vector512.LoadUnsafe(ref d, (nuint)c));
                var less = Vector512.LessThan(score, bestValues);
                bestValues = Vector512.ConditionalSelect(less, score, bestValues);
                bestIndices = Vector512.ConditionalSelect(less.AsInt32(), indices, bestIndices);
                indices += step;
            }

            for (var lane = 0; lane < 16; lane++)
            {
                Keep(bestValues.GetElement(lane), bestIndices.GetElement(lane), ref bestScore, ref best);
            }
        }
        else if (width == KernelWidth.Vector256 && n >= 8)
        {
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
                Keep(bestValues.GetElement(lane), bestIndices.GetElement(lane), ref bestScore, ref best);
            }
        }
        else if (width == KernelWidth.Vector128 && n >= 4)
        {
            var bestValues = Vector128.Create(float.PositiveInfinity);
            var bestIndices = Vector128<int>.Zero;
            var indices = Vector128.Create(0, 1, 2, 3);
            var step = Vector128.Create(4);
            var two = Vector128.Create(2f);
            for (; c <= n - 4; c += 4)
            {
                var score = Vector128.LoadUnsafe(ref m, (nuint)c) - (two * Vector128.LoadUnsafe(ref d, (nuint)c));
                var less = Vector128.LessThan(score, bestValues);
                bestValues = Vector128.ConditionalSelect(less, score, bestValues);
                bestIndices = Vector128.ConditionalSelect(less.AsInt32(), indices, bestIndices);
                indices += step;
            }

            for (var lane = 0; lane < 4; lane++)
            {
                Keep(bestValues.GetElement(lane), bestIndices.GetElement(lane), ref bestScore, ref best);
            }
        }

        for (; c < n; c++)
        {
            var score = Unsafe.Add(ref m, c) - (2 * Unsafe.Add(ref d, c));
            if (score < bestScore)
            {
                bestScore = score;
                best = c;
            }
        }

        return best;
    }

    // Merges one lane's best into the overall best: the smaller score wins, the lower index on ties.
    private static void Keep(float value, int index, ref float bestScore, ref int best)
    {
        if (value < bestScore || (value == bestScore && index < best))
        {
            bestScore = value;
            best = index;
        }
    }

    /// <summary>Squared norms of <paramref name="count"/> row-major vectors.</summary>
    public static float[] SquaredNorms(ReadOnlySpan<float> vectors, int count, int dimension)
    {
        var norms = new float[count];
        for (var i = 0; i < count; i++)
        {
            var v = vectors.Slice(i * dimension, dimension);
            norms[i] = VectorSums.Dot(v, v);
        }

        return norms;
    }
}
