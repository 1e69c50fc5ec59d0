using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using Lance.Engine.Query;
using Lance.Engine.Search.Kernels;

namespace Lance.Engine.Index;

/// <summary>
/// The IVF-PQ partition scan: for each row, the sum of its codes' entries in the asymmetric distance
/// table, scaled and shifted (<c>sum · scale + bias</c>, one fused multiply-add), offered to the heap
/// when it can still make the top k and the mask allows the row.
/// </summary>
/// <remarks>
/// Every width adds a row's entries in sub-vector order and finishes with the same fused
/// multiply-add, so every width returns the same bits. The 256- and 512-bit paths gather eight
/// entries per instruction where AVX2 is there; elsewhere (ARM64 has no gather) lanes are loaded one
/// by one and the additions stay vectorised.
/// <para>
/// Where AVX-512 VBMI is there, the 256- and 512-bit paths first screen 64 rows at a time with a byte copy of
/// the table: each entry rounded down to a whole number of steps above its sub-vector's smallest entry,
/// looked up 64 codes per two byte permutes and summed in 16-bit lanes. That sum is a lower bound of the
/// row's distance (less a margin far wider than float rounding can move it), so a row whose bound is
/// above the heap's threshold could not have entered the heap; every other row is measured exactly as
/// the scalar path measures it and offered in row order, so the heap sees the same rows with the same
/// bits as without the screen.
/// </para>
/// </remarks>
internal static class AdcScan
{
    /// <summary>The fewest rows of a partition for which the byte screen is built (below it the gathers win).</summary>
    private const int ScreenMinimumRows = 64;

    /// <summary>
    /// Scores the <paramref name="rows"/> of one partition. <paramref name="codes"/> are
    /// sub-vector-major (<c>codes[s · rows + i]</c>); <paramref name="table"/> holds
    /// <see cref="IvfPqIndex.CodebookSize"/> entries per sub-vector. <paramref name="screen"/>, when
    /// given, is scratch space for the byte screen (<c>subVectors × 256</c> bytes; allocated when absent).
    /// </summary>
    public static void Scan(
        KernelWidth width, ReadOnlySpan<float> table, int subVectors, float bias, float scale,
        long[] rows, ReadOnlySpan<byte> codes, RowMask mask, TopK topK, byte[]? screen = null)
    {
        if (table.Length < subVectors * IvfPqIndex.CodebookSize || codes.Length < subVectors * rows.Length)
        {
            throw new ArgumentException("The distance table or the codes are shorter than the sizes given.", nameof(codes));
        }

        var n = rows.Length;
        if (width >= KernelWidth.Vector256 && CanScreen && n >= ScreenMinimumRows)
        {
            screen ??= new byte[subVectors * IvfPqIndex.CodebookSize];
            if (screen.Length >= subVectors * IvfPqIndex.CodebookSize
                && ByteScreen.TryBuild(table, subVectors, bias, scale, screen, out var bound))
            {
                ScanScreened(table, subVectors, bias, scale, rows, codes, screen, bound, mask, topK);
                return;
            }
        }

        var i = width switch
        {
            KernelWidth.Vector512 => Scan512(table, subVectors, bias, scale, rows, codes, mask, topK),
            KernelWidth.Vector256 => Scan256(table, subVectors, bias, scale, rows, codes, mask, topK),
            KernelWidth.Vector128 => Scan128(table, subVectors, bias, scale, rows, codes, mask, topK),
            _ => 0,
        };
        for (; i < n; i++)
        {
            Offer(Exact(table, subVectors, codes, n, i, bias, scale), rows[i], mask, topK);
        }
    }

    /// <summary>Whether this CPU runs the byte screen (AVX-512 VBMI byte permutes, BMI2 bit deposits).</summary>
    public static bool CanScreen => Avx512Vbmi.IsSupported && Bmi2.X64.IsSupported;

    // One row's distance, as every path computes it: entries added in sub-vector order, then one fused multiply-add.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static float Exact(ReadOnlySpan<float> table, int subVectors, ReadOnlySpan<byte> codes, int n, int i, float bias, float scale)
    {
        float sum = 0;
        for (var s = 0; s < subVectors; s++)
        {
            sum += table[(s * IvfPqIndex.CodebookSize) + codes[(s * n) + i]];
        }

        return MathF.FusedMultiplyAdd(sum, scale, bias);
    }

    /// <summary>
    /// The byte copy of a distance table and what turns a row's byte sum into a bound: entry
    /// <c>(s, j)</c> becomes <c>⌊(t[s, j] − min_s) / step⌋</c>, at most <see cref="Levels"/>, so
    /// <c>offset + step · Σ bytes ≤ Σ t</c> for every row, where <c>offset = Σ min_s</c>.
    /// </summary>
    private readonly record struct ByteScreen(double Offset, double Step, double Slack, double Bias, double Scale, int Levels)
    {
        /// <summary>
        /// The largest byte sum a row can have and still reach <paramref name="threshold"/>: −1 when no
        /// row can, <see cref="ushort.MaxValue"/> when every row may.
        /// </summary>
        public int Limit(float threshold)
        {
            if (float.IsPositiveInfinity(threshold))
            {
                return ushort.MaxValue;
            }

            // A row is measured unless offset + step·q, less the slack, is above (threshold − bias) / scale.
            var room = ((threshold - Bias) / Scale) + Slack + (Math.Abs((double)threshold) * 1e-5 / Scale) - Offset;
            if (!(room >= 0))
            {
                return double.IsNaN(room) ? ushort.MaxValue : -1;
            }

            var steps = Math.Floor(room / Step);
            return steps >= ushort.MaxValue ? ushort.MaxValue : (int)steps;
        }

        /// <summary>Fills <paramref name="screen"/>; false when the table holds a value that is not finite (then the gathers run).</summary>
        public static bool TryBuild(ReadOnlySpan<float> table, int subVectors, float bias, float scale, Span<byte> screen, out ByteScreen result)
        {
            result = default;
            if (!(scale > 0) || !float.IsFinite(bias))
            {
                return false;
            }

            const int K = IvfPqIndex.CodebookSize;
            double offset = 0, magnitudes = 0, ranges = 0, widest = 0;
            Span<float> minima = subVectors <= 256 ? stackalloc float[subVectors] : new float[subVectors];
            for (var s = 0; s < subVectors; s++)
            {
                ref var entries = ref MemoryMarshal.GetReference(table.Slice(s * K, K));
                var lows = Vector512.LoadUnsafe(ref entries);
                var highs = lows;
                var nan = ~Vector512.Equals(lows, lows);
                for (var j = 16; j < K; j += 16)
                {
                    var v = Vector512.LoadUnsafe(ref entries, (nuint)j);
                    lows = Vector512.Min(lows, v);
                    highs = Vector512.Max(highs, v);
                    nan |= ~Vector512.Equals(v, v);
                }

                if (Vector512.ExtractMostSignificantBits(nan) != 0)
                {
                    return false;
                }

                var low = Smallest(Vector256.Min(lows.GetLower(), lows.GetUpper()));
                var high = -Smallest(-Vector256.Max(highs.GetLower(), highs.GetUpper()));

                if (!float.IsFinite(low) || !float.IsFinite(high))
                {
                    return false;
                }

                minima[s] = low;
                offset += low;
                magnitudes += Math.Max(Math.Abs((double)low), Math.Abs((double)high));
                ranges += (double)high - low;
                widest = Math.Max(widest, (double)high - low);
            }

            // 16-bit lanes hold the sum of every sub-vector's byte.
            var levels = Math.Min(255, ushort.MaxValue / subVectors);
            if (levels < 1)
            {
                return false;
            }

            var step = widest > 0 ? widest / levels : 1;
            var inverse = Vector512.Create((float)(1 / step));
            var top = Vector512.Create((float)levels);
            for (var s = 0; s < subVectors; s++)
            {
                var low = Vector512.Create(minima[s]);
                ref var from = ref MemoryMarshal.GetReference(table.Slice(s * K, K));
                ref var to = ref MemoryMarshal.GetReference(screen.Slice(s * K, K));
                for (var j = 0; j < K; j += 64)
                {
                    var a = Level(Vector512.LoadUnsafe(ref from, (nuint)j), low, inverse, top);
                    var b = Level(Vector512.LoadUnsafe(ref from, (nuint)(j + 16)), low, inverse, top);
                    var c = Level(Vector512.LoadUnsafe(ref from, (nuint)(j + 32)), low, inverse, top);
                    var d = Level(Vector512.LoadUnsafe(ref from, (nuint)(j + 48)), low, inverse, top);
                    Vector512.Narrow(Vector512.Narrow(a, b), Vector512.Narrow(c, d)).StoreUnsafe(ref to, (nuint)j);
                }
            }

            // The float sum of a row differs from the real sum by under 48 × 2⁻²⁴ of the magnitudes' sum per
            // sub-vector count (and each level by a few float roundings of its range): 1e-5 of both covers that
            // many times over, as the relative 1e-5 of the bias and threshold covers the final rounding.
            var slack = (1e-5 * (magnitudes + ranges) * Math.Max(1, subVectors / 48.0)) + (Math.Abs((double)bias) * 1e-5 / scale) + 1e-30;
            result = new ByteScreen(offset, step, slack, bias, scale, levels);
            return true;
        }

        // The smallest of eight values (no NaN among them), folded in registers.
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static float Smallest(Vector256<float> values)
        {
            var four = Vector128.Min(values.GetLower(), values.GetUpper());
            return Math.Min(Math.Min(four.GetElement(0), four.GetElement(1)), Math.Min(four.GetElement(2), four.GetElement(3)));
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static Vector512<uint> Level(Vector512<float> entries, Vector512<float> low, Vector512<float> inverse, Vector512<float> top)
            => Vector512.ConvertToUInt32(Vector512.Min(Vector512.Max((entries - low) * inverse, Vector512<float>.Zero), top));
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void ScanScreened(
        ReadOnlySpan<float> table, int m, float bias, float scale, long[] rows, ReadOnlySpan<byte> codes, byte[] screen, ByteScreen bound, RowMask mask, TopK topK)
    {
        var n = rows.Length;
        var threshold = topK.Threshold;
        var limit = bound.Limit(threshold);
        var lowByte = Vector512.Create((ushort)0x00FF);
        fixed (byte* c = codes)
        fixed (byte* q = screen)
        {
            // Two blocks of 64 rows share each sub-vector's table registers; a last single block ends at the
            // last row and skips the rows the block before it covered.
            for (var i = 0; i < n;)
            {
                if (topK.Threshold != threshold)
                {
                    threshold = topK.Threshold;
                    limit = bound.Limit(threshold);
                }

                if (limit < 0)
                {
                    return; // the threshold only falls: no later row can make the heap either
                }

                var bar = Vector512.Create((ushort)limit);
                if (i + 128 <= n)
                {
                    var even0 = Vector512<ushort>.Zero;
                    var odd0 = Vector512<ushort>.Zero;
                    var even1 = Vector512<ushort>.Zero;
                    var odd1 = Vector512<ushort>.Zero;
                    var at = c + i;
                    for (var s = 0; s < m; s++, at += n)
                    {
                        var entries = q + (s * IvfPqIndex.CodebookSize);
                        var t0 = Vector512.Load(entries);
                        var t1 = Vector512.Load(entries + 64);
                        var t2 = Vector512.Load(entries + 128);
                        var t3 = Vector512.Load(entries + 192);
                        var a0 = Vector512.Load(at);
                        var a1 = Vector512.Load(at + 64);
                        var p0 = Vector512.ConditionalSelect(
                            Vector512.LessThan(a0.AsSByte(), Vector512<sbyte>.Zero).AsByte(),
                            Avx512Vbmi.PermuteVar64x8x2(t2, a0, t3),
                            Avx512Vbmi.PermuteVar64x8x2(t0, a0, t1)).AsUInt16();
                        var p1 = Vector512.ConditionalSelect(
                            Vector512.LessThan(a1.AsSByte(), Vector512<sbyte>.Zero).AsByte(),
                            Avx512Vbmi.PermuteVar64x8x2(t2, a1, t3),
                            Avx512Vbmi.PermuteVar64x8x2(t0, a1, t1)).AsUInt16();
                        even0 += p0 & lowByte;
                        odd0 += Vector512.ShiftRightLogical(p0, 8);
                        even1 += p1 & lowByte;
                        odd1 += Vector512.ShiftRightLogical(p1, 8);
                    }

                    var passing0 = Passing(even0, odd0, bar);
                    var passing1 = Passing(even1, odd1, bar);
                    OfferExact(passing0, i, table, m, bias, scale, rows, codes, mask, topK);
                    OfferExact(passing1, i + 64, table, m, bias, scale, rows, codes, mask, topK);
                    i += 128;
                }
                else
                {
                    var start = Math.Min(i, n - 64);
                    var even = Vector512<ushort>.Zero;
                    var odd = Vector512<ushort>.Zero;
                    var at = c + start;
                    for (var s = 0; s < m; s++, at += n)
                    {
                        var entries = q + (s * IvfPqIndex.CodebookSize);
                        var a = Vector512.Load(at);
                        var p = Vector512.ConditionalSelect(
                            Vector512.LessThan(a.AsSByte(), Vector512<sbyte>.Zero).AsByte(),
                            Avx512Vbmi.PermuteVar64x8x2(Vector512.Load(entries + 128), a, Vector512.Load(entries + 192)),
                            Avx512Vbmi.PermuteVar64x8x2(Vector512.Load(entries), a, Vector512.Load(entries + 64))).AsUInt16();
                        even += p & lowByte;
                        odd += Vector512.ShiftRightLogical(p, 8);
                    }

                    OfferExact(Passing(even, odd, bar) & (ulong.MaxValue << (i - start)), start, table, m, bias, scale, rows, codes, mask, topK);
                    i += 64;
                }
            }
        }
    }

    // The rows of a 64-row block whose byte sum is at most the bar, as bits in row order (even rows' sums in
    // the low bytes' lanes, odd rows' in the high bytes').
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong Passing(Vector512<ushort> even, Vector512<ushort> odd, Vector512<ushort> bar)
        => Bmi2.X64.ParallelBitDeposit(Vector512.ExtractMostSignificantBits(Vector512.LessThanOrEqual(even, bar)), 0x5555_5555_5555_5555UL)
            | Bmi2.X64.ParallelBitDeposit(Vector512.ExtractMostSignificantBits(Vector512.LessThanOrEqual(odd, bar)), 0xAAAA_AAAA_AAAA_AAAAUL);

    // Measures the passing rows of a block exactly, in row order, and offers them.
    private static void OfferExact(
        ulong passing, int first, ReadOnlySpan<float> table, int m, float bias, float scale, long[] rows, ReadOnlySpan<byte> codes, RowMask mask, TopK topK)
    {
        while (passing != 0)
        {
            var row = first + BitOperations.TrailingZeroCount(passing);
            passing &= passing - 1;
            Offer(Exact(table, m, codes, rows.Length, row, bias, scale), rows[row], mask, topK);
        }
    }

    // Each returns how many rows it scored; the caller scores the rest.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe int Scan512(ReadOnlySpan<float> table, int m, float bias, float scale, long[] rows, ReadOnlySpan<byte> codes, RowMask mask, TopK topK)
    {
        var n = rows.Length;
        var i = 0;
        Span<float> lanes = stackalloc float[16];
        var biasVector = Vector512.Create(bias);
        var scaleVector = Vector512.Create(scale);
        fixed (float* t = table)
        fixed (byte* c = codes)
        {
            for (; i + 16 <= n; i += 16)
            {
                var acc = Vector512<float>.Zero;
                for (var s = 0; s < m; s++)
                {
                    var entries = t + (s * IvfPqIndex.CodebookSize);
                    var at = c + (s * n) + i;
                    acc += Vector512.Create(Gather8(entries, at), Gather8(entries, at + 8));
                }

                acc = Vector512.FusedMultiplyAdd(acc, scaleVector, biasVector);
                var passing = Vector512.ExtractMostSignificantBits(Vector512.LessThanOrEqual(acc, Vector512.Create(topK.Threshold)));
                if (passing != 0)
                {
                    acc.CopyTo(lanes);
                    OfferLanes(passing, lanes, rows, i, mask, topK);
                }
            }
        }

        return i;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe int Scan256(ReadOnlySpan<float> table, int m, float bias, float scale, long[] rows, ReadOnlySpan<byte> codes, RowMask mask, TopK topK)
    {
        var n = rows.Length;
        var i = 0;
        Span<float> lanes = stackalloc float[8];
        var biasVector = Vector256.Create(bias);
        var scaleVector = Vector256.Create(scale);
        fixed (float* t = table)
        fixed (byte* c = codes)
        {
            for (; i + 8 <= n; i += 8)
            {
                var acc = Vector256<float>.Zero;
                for (var s = 0; s < m; s++)
                {
                    acc += Gather8(t + (s * IvfPqIndex.CodebookSize), c + (s * n) + i);
                }

                acc = Vector256.FusedMultiplyAdd(acc, scaleVector, biasVector);
                var passing = Vector256.ExtractMostSignificantBits(Vector256.LessThanOrEqual(acc, Vector256.Create(topK.Threshold)));
                if (passing != 0)
                {
                    acc.CopyTo(lanes);
                    OfferLanes(passing, lanes, rows, i, mask, topK);
                }
            }
        }

        return i;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static int Scan128(ReadOnlySpan<float> table, int m, float bias, float scale, long[] rows, ReadOnlySpan<byte> codes, RowMask mask, TopK topK)
    {
        var n = rows.Length;
        var i = 0;
        Span<float> lanes = stackalloc float[4];
        var biasVector = Vector128.Create(bias);
        var scaleVector = Vector128.Create(scale);
        ref var t = ref MemoryMarshal.GetReference(table);
        ref var c = ref MemoryMarshal.GetReference(codes);
        for (; i + 4 <= n; i += 4)
        {
            var acc = Vector128<float>.Zero;
            for (var s = 0; s < m; s++)
            {
                ref var entries = ref Unsafe.Add(ref t, s * IvfPqIndex.CodebookSize);
                ref var at = ref Unsafe.Add(ref c, (s * n) + i);
                acc += Vector128.Create(
                    Unsafe.Add(ref entries, at),
                    Unsafe.Add(ref entries, Unsafe.Add(ref at, 1)),
                    Unsafe.Add(ref entries, Unsafe.Add(ref at, 2)),
                    Unsafe.Add(ref entries, Unsafe.Add(ref at, 3)));
            }

            acc = Vector128.FusedMultiplyAdd(acc, scaleVector, biasVector);
            var passing = Vector128.ExtractMostSignificantBits(Vector128.LessThanOrEqual(acc, Vector128.Create(topK.Threshold)));
            if (passing != 0)
            {
                acc.CopyTo(lanes);
                OfferLanes(passing, lanes, rows, i, mask, topK);
            }
        }

        return i;
    }

    // The table entries of eight consecutive rows' codes for one sub-vector.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe Vector256<float> Gather8(float* entries, byte* codes)
    {
        if (Avx2.IsSupported)
        {
            return Avx2.GatherVector256(entries, Avx2.ConvertToVector256Int32(codes), 4);
        }

        return Vector256.Create(
            entries[codes[0]], entries[codes[1]], entries[codes[2]], entries[codes[3]],
            entries[codes[4]], entries[codes[5]], entries[codes[6]], entries[codes[7]]);
    }

    private static void OfferLanes(ulong passing, ReadOnlySpan<float> lanes, long[] rows, int first, RowMask mask, TopK topK)
    {
        while (passing != 0)
        {
            var lane = BitOperations.TrailingZeroCount(passing);
            passing &= passing - 1;
            var row = rows[first + lane];
            if (mask.Allows(row))
            {
                topK.Offer(lanes[lane], row);
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Offer(float distance, long row, RowMask mask, TopK topK)
    {
        if (distance <= topK.Threshold && mask.Allows(row))
        {
            topK.Offer(distance, row);
        }
    }
}
