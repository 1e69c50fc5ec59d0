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
/// </remarks>
internal static class AdcScan
{
    /// <summary>
    /// Scores the <paramref name="rows"/> of one partition. <paramref name="codes"/> are
    /// sub-vector-major (<c>codes[s · rows + i]</c>); <paramref name="table"/> holds
    /// <see cref="IvfPqIndex.CodebookSize"/> entries per sub-vector.
    /// </summary>
    public static void Scan(
        KernelWidth width, ReadOnlySpan<float> table, int subVectors, float bias, float scale,
        long[] rows, ReadOnlySpan<byte> codes, RowMask mask, TopK topK)
    {
        if (table.Length < subVectors * IvfPqIndex.CodebookSize || codes.Length < subVectors * rows.Length)
        {
            throw new ArgumentException("The distance table or the codes are shorter than the sizes given.", nameof(codes));
        }

        var i = width switch
        {
            KernelWidth.Vector512 => Scan512(table, subVectors, bias, scale, rows, codes, mask, topK),
            KernelWidth.Vector256 => Scan256(table, subVectors, bias, scale, rows, codes, mask, topK),
            KernelWidth.Vector128 => Scan128(table, subVectors, bias, scale, rows, codes, mask, topK),
            _ => 0,
        };
        var n = rows.Length;
        for (; i < n; i++)
        {
            float sum = 0;
            for (var s = 0; s < subVectors; s++)
            {
                sum += table[(s * IvfPqIndex.CodebookSize) + codes[(s * n) + i]];
            }

            Offer(MathF.FusedMultiplyAdd(sum, scale, bias), rows[i], mask, topK);
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
