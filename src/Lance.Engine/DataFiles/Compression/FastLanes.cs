using System.Numerics;
using System.Runtime.CompilerServices;
using Lance.Engine.Format;

namespace Lance.Engine.DataFiles.Compression;

/// <summary>
/// Packs and unpacks 1,024 integers bit-packed in the FastLanes layout that Lance's <c>InlineBitpacking</c> and
/// <c>OutOfLineBitpacking</c> use: the 1,024 values are spread over <c>1024 / T</c> lanes (T = the
/// word width in bits); lane <c>l</c> packs its T values ("rows") one after another into words
/// <c>LANES·k + l</c>, and row <c>r</c> of lane <c>l</c> is value
/// <c>ORDER[r / 8]·16 + (r % 8)·128 + l</c>, ORDER being the FastLanes transposition 0,4,2,6,1,5,3,7.
/// </summary>
internal static class FastLanes
{
    /// <summary>Values per packed chunk.</summary>
    public const int ChunkValues = 1024;

    private static ReadOnlySpan<byte> Order => [0, 4, 2, 6, 1, 5, 3, 7];

    /// <summary>The number of T-bit words that 1,024 values of <paramref name="width"/> bits occupy.</summary>
    public static int PackedWords<T>(int width) where T : unmanaged, IBinaryInteger<T>, IUnsignedNumber<T>
        => ChunkValues * width / BitsOf<T>();

    /// <summary>Unpacks one chunk of 1,024 values of <paramref name="width"/> bits.</summary>
    /// <exception cref="LanceFormatException">The width is larger than the word, or the input is too short.</exception>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Unpack<T>(int width, ReadOnlySpan<T> packed, Span<T> output, string what)
        where T : unmanaged, IBinaryInteger<T>, IUnsignedNumber<T>
    {
        int bits = BitsOf<T>();
        if (width < 0 || width > bits)
        {
            throw new LanceFormatException($"{what}: a bit-packed chunk of {bits}-bit words claims {width} bits per value.");
        }

        if (output.Length < ChunkValues)
        {
            throw new ArgumentException("The output must hold 1024 values.", nameof(output));
        }

        if (width == 0)
        {
            output[..ChunkValues].Clear();
            return;
        }

        int lanes = ChunkValues / bits;
        if (packed.Length < lanes * width)
        {
            throw new LanceFormatException($"{what}: a bit-packed chunk needs {lanes * width} words but has {packed.Length}.");
        }

        T mask = width == bits ? T.AllBitsSet : (T.One << width) - T.One;
        for (int lane = 0; lane < lanes; lane++)
        {
            for (int row = 0; row < bits; row++)
            {
                int start = row * width;
                int word = start / bits;
                int shift = start % bits;
                T value = packed[lanes * word + lane] >>> shift;
                if (shift + width > bits)
                {
                    value |= packed[lanes * (word + 1) + lane] << (bits - shift);
                }

                output[Order[row / 8] * 16 + (row % 8) * 128 + lane] = value & mask;
            }
        }
    }

    /// <summary>Packs one chunk of 1,024 values into <paramref name="width"/> bits each (the inverse of <see cref="Unpack{T}"/>); bits above the width are dropped.</summary>
    /// <param name="width">Bits per value, 0 to the word width.</param>
    /// <param name="values">The 1,024 values.</param>
    /// <param name="packed">Receives <see cref="PackedWords{T}"/> words.</param>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Pack<T>(int width, ReadOnlySpan<T> values, Span<T> packed)
        where T : unmanaged, IBinaryInteger<T>, IUnsignedNumber<T>
    {
        int bits = BitsOf<T>();
        ArgumentOutOfRangeException.ThrowIfGreaterThan(width, bits);
        ArgumentOutOfRangeException.ThrowIfLessThan(values.Length, ChunkValues);
        int lanes = ChunkValues / bits;
        packed = packed[..(lanes * width)];
        packed.Clear();
        if (width == 0)
        {
            return;
        }

        T mask = width == bits ? T.AllBitsSet : (T.One << width) - T.One;
        for (int lane = 0; lane < lanes; lane++)
        {
            for (int row = 0; row < bits; row++)
            {
                T value = values[Order[row / 8] * 16 + (row % 8) * 128 + lane] & mask;
                int start = row * width;
                int word = start / bits;
                int shift = start % bits;
                packed[lanes * word + lane] |= value << shift;
                if (shift + width > bits)
                {
                    packed[lanes * (word + 1) + lane] |= value >>> (bits - shift);
                }
            }
        }
    }

    /// <summary>The bits needed for the largest of <paramref name="values"/> (0 when all are zero).</summary>
    public static int Width<T>(ReadOnlySpan<T> values)
        where T : unmanaged, IBinaryInteger<T>, IUnsignedNumber<T>
    {
        T all = T.Zero;
        foreach (var v in values)
        {
            all |= v;
        }

        return BitsOf<T>() - int.CreateTruncating(T.LeadingZeroCount(all));
    }

    private static int BitsOf<T>() where T : unmanaged => System.Runtime.CompilerServices.Unsafe.SizeOf<T>() * 8;
}
