using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Lance.Engine.Index.Vector;

/// <summary>
/// Lance's 8-bit scalar quantiser (SQ): one value range <c>[Start, End]</c> for every dimension,
/// each value scaled to <c>(v − Start) · 255 / (End − Start)</c> and truncated into a byte (values
/// outside the range saturate). A query is quantised the same way and distances are taken between
/// codes, then scaled back by <c>(range / 255)²</c>, as Lance does, so both libraries rank alike.
/// </summary>
/// <param name="Start">The smallest value seen when the quantiser was trained.</param>
/// <param name="End">The largest value seen.</param>
internal readonly record struct ScalarQuantizer(double Start, double End)
{
    /// <summary>The range of every value of <paramref name="vectors"/> (row-major floats).</summary>
    public static ScalarQuantizer Train(ReadOnlySpan<float> vectors)
    {
        if (vectors.IsEmpty)
        {
            return new ScalarQuantizer(0, 0);
        }

        var min = double.MaxValue;
        var max = double.MinValue;
        foreach (var v in vectors)
        {
            if (float.IsFinite(v))
            {
                min = Math.Min(min, v);
                max = Math.Max(max, v);
            }
        }

        return min > max ? new ScalarQuantizer(0, 0) : new ScalarQuantizer(min, max);
    }

    /// <summary>The factor that turns a squared distance between codes into one between values.</summary>
    public float Scale
    {
        get
        {
            var range = (float)(End - Start);
            return range * range / (255f * 255f);
        }
    }

    /// <summary>Quantises <paramref name="values"/> into <paramref name="codes"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Encode(ReadOnlySpan<float> values, Span<byte> codes)
    {
        if (Start == End)
        {
            codes[..values.Length].Clear();
            return;
        }

        var range = End - Start;
        for (var i = 0; i < values.Length; i++)
        {
            var scaled = (values[i] - Start) * 255.0 / range;
            // Saturating, truncating cast (Rust's `as u8`): NaN and negatives give 0.
            codes[i] = double.IsNaN(scaled) || scaled <= 0 ? (byte)0 : scaled >= 255 ? (byte)255 : (byte)scaled;
        }
    }

    /// <summary>The value a code stands for (the low edge of its bucket).</summary>
    public float Decode(byte code) => (float)(Start + (code * (End - Start) / 255.0));

    /// <summary>
    /// The dot distance <c>1 − x̂·ŷ</c> between the values two code vectors stand for (Lance's own dot
    /// on raw codes ignores the range's offset, so it ranks differently when the range is not at 0).
    /// </summary>
    public float DotDistance(ReadOnlySpan<byte> a, ReadOnlySpan<byte> b)
    {
        var dot = 0;
        var sum = 0;
        for (var d = 0; d < a.Length; d++)
        {
            dot += a[d] * b[d];
            sum += a[d] + b[d];
        }

        var step = (float)((End - Start) / 255.0);
        var start = (float)Start;
        return 1f - ((a.Length * start * start) + (start * step * sum) + (step * step * dot));
    }

    /// <summary>The squared L2 distance between two code vectors, in code units (multiply by <see cref="Scale"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static int SquaredDistance(ReadOnlySpan<byte> a, ReadOnlySpan<byte> b)
    {
        if (Avx512BW.IsSupported && a.Length >= 64 && b.Length >= a.Length)
        {
            return SquaredDistanceAvx512(a, b);
        }

        if (Avx2.IsSupported && a.Length >= 32 && b.Length >= a.Length)
        {
            return SquaredDistanceAvx2(a, b);
        }

        var sum = 0;
        var i = 0;
        if (System.Numerics.Vector.IsHardwareAccelerated && a.Length >= System.Numerics.Vector<short>.Count)
        {
            var acc = System.Numerics.Vector<int>.Zero;
            var width = System.Numerics.Vector<byte>.Count;
            for (; i + width <= a.Length; i += width)
            {
                var va = new System.Numerics.Vector<byte>(a[i..]);
                var vb = new System.Numerics.Vector<byte>(b[i..]);
                System.Numerics.Vector.Widen(va, out var a0, out var a1);
                System.Numerics.Vector.Widen(vb, out var b0, out var b1);
                var d0 = System.Numerics.Vector.AsVectorInt16(a0) - System.Numerics.Vector.AsVectorInt16(b0);
                var d1 = System.Numerics.Vector.AsVectorInt16(a1) - System.Numerics.Vector.AsVectorInt16(b1);
                System.Numerics.Vector.Widen(d0, out var e0, out var e1);
                System.Numerics.Vector.Widen(d1, out var e2, out var e3);
                acc += (e0 * e0) + (e1 * e1) + (e2 * e2) + (e3 * e3);
            }

            sum = System.Numerics.Vector.Sum(acc);
        }

        return sum + ScalarTail(a[i..], b[i..]);
    }

    /// <summary><see cref="SquaredDistanceAvx2"/> 64 codes at a time (AVX-512BW), the rest 32 and then one at a time.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static int SquaredDistanceAvx512(ReadOnlySpan<byte> a, ReadOnlySpan<byte> b)
    {
        ref var pa = ref MemoryMarshal.GetReference(a);
        ref var pb = ref MemoryMarshal.GetReference(b);
        var acc = Vector512<int>.Zero;
        var zero = Vector512<byte>.Zero;
        var i = 0;
        for (; i + 64 <= a.Length; i += 64)
        {
            var va = Vector512.LoadUnsafe(ref pa, (nuint)i);
            var vb = Vector512.LoadUnsafe(ref pb, (nuint)i);
            var diff = Avx512BW.SubtractSaturate(va, vb) | Avx512BW.SubtractSaturate(vb, va);
            var low = Avx512BW.UnpackLow(diff, zero).AsInt16();
            var high = Avx512BW.UnpackHigh(diff, zero).AsInt16();
            acc += Avx512BW.MultiplyAddAdjacent(low, low) + Avx512BW.MultiplyAddAdjacent(high, high);
        }

        var sum = Vector512.Sum(acc);
        if (i < a.Length)
        {
            sum += a.Length - i >= 32 ? SquaredDistanceAvx2(a[i..], b[i..]) : ScalarTail(a[i..], b[i..]);
        }

        return sum;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static int ScalarTail(ReadOnlySpan<byte> a, ReadOnlySpan<byte> b)
    {
        var sum = 0;
        for (var i = 0; i < a.Length; i++)
        {
            var d = a[i] - b[i];
            sum += d * d;
        }

        return sum;
    }

    /// <summary>
    /// <see cref="SquaredDistance"/> 32 codes at a time: |a − b| per byte from two saturating subtractions,
    /// widened to 16 bits and squared and summed in pairs (vpmaddwd); exact, as the sum is of integers.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static int SquaredDistanceAvx2(ReadOnlySpan<byte> a, ReadOnlySpan<byte> b)
    {
        ref var pa = ref MemoryMarshal.GetReference(a);
        ref var pb = ref MemoryMarshal.GetReference(b);
        var acc = Vector256<int>.Zero;
        var zero = Vector256<byte>.Zero;
        var i = 0;
        for (; i + 32 <= a.Length; i += 32)
        {
            var va = Vector256.LoadUnsafe(ref pa, (nuint)i);
            var vb = Vector256.LoadUnsafe(ref pb, (nuint)i);
            var diff = Avx2.Or(
                Avx2.SubtractSaturate(va, vb),
                Avx2.SubtractSaturate(vb, va));
            var low = Avx2.UnpackLow(diff, zero).AsInt16();
            var high = Avx2.UnpackHigh(diff, zero).AsInt16();
            acc = Avx2.Add(acc, Avx2.MultiplyAddAdjacent(low, low));
            acc = Avx2.Add(acc, Avx2.MultiplyAddAdjacent(high, high));
        }

        var sum = Vector256.Sum(acc);
        return sum + ScalarTail(a[i..], b[i..]);
    }
}

/// <summary>
/// The squared L2 distance from a query's SQ codes to node <c>i</c> of a partition (its codes row-major in
/// <c>codes</c>), in the metric's scale: <see cref="ScalarQuantizer.SquaredDistance"/> times <c>scale</c>.
/// </summary>
internal readonly unsafe struct SqL2Distance(byte[] codes, byte[] query, float scale) : INodeDistance
{
    /// <inheritdoc/>
    public float Distance(int node)
        => ScalarQuantizer.SquaredDistance(codes.AsSpan(node * query.Length, query.Length), query) * scale;

    /// <inheritdoc/>
    public void Prefetch(int node)
    {
        var dim = query.Length;
        var offset = node * dim;
        if (!Sse.IsSupported || dim == 0 || (uint)offset > (uint)(codes.Length - dim))
        {
            return;
        }

        // No pinning (so this inlines): a prefetch of an address the GC has since moved only loads a wasted line.
        var row = (byte*)Unsafe.AsPointer(ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(codes), offset));
        for (var b = 0; b < dim; b += 64)
        {
            Sse.Prefetch0(row + b);
        }

        Sse.Prefetch0(row + dim - 1);
    }
}
