using System.Numerics;
using Lance.Engine.Format;

namespace Lance.Engine.DataFiles.Compression;

/// <summary>
/// Unpacks 1,024 integers bit-packed in the FastLanes layout that Lance's <c>InlineBitpacking</c> and
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

    private static int BitsOf<T>() where T : unmanaged => System.Runtime.CompilerServices.Unsafe.SizeOf<T>() * 8;
}
