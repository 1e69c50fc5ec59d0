using System.Buffers.Binary;
using System.Numerics;

namespace Lance.Engine.Index.FullText;

/// <summary>
/// Blocks of 128 <see cref="uint"/> values bit-packed the way the Rust <c>bitpacking</c> crate's
/// <c>BitPacker4x</c> lays them out (Lance packs posting lists and positions with it): the values
/// form 32 groups of 4 lanes; each lane's 32 values are packed low bit first into <c>bits</c>
/// 32-bit words, and word k of lane l is stored at byte <c>(4k + l) * 4</c>, so a block takes
/// <c>16 * bits</c> bytes. Sorted blocks store the differences from the previous value (the first
/// from a given initial value).
/// </summary>
internal static class BitPacker4x
{
    /// <summary>The number of values in a block.</summary>
    public const int BlockLength = 128;

    /// <summary>The bytes a block packed with <paramref name="bits"/> bits per value takes.</summary>
    public static int PackedBytes(int bits) => bits * 16;

    /// <summary>The bits needed for the largest of <paramref name="values"/>.</summary>
    public static int BitsNeeded(ReadOnlySpan<uint> values)
    {
        uint any = 0;
        foreach (var v in values)
        {
            any |= v;
        }

        return 32 - BitOperations.LeadingZeroCount(any);
    }

    /// <summary>The bits needed for the differences of sorted <paramref name="values"/> from <paramref name="initial"/> on.</summary>
    public static int BitsNeededSorted(uint initial, ReadOnlySpan<uint> values)
    {
        uint any = 0;
        var previous = initial;
        foreach (var v in values)
        {
            any |= v - previous;
            previous = v;
        }

        return 32 - BitOperations.LeadingZeroCount(any);
    }

    /// <summary>Unpacks a block of 128 values.</summary>
    public static void Unpack(ReadOnlySpan<byte> packed, int bits, Span<uint> values)
    {
        if (bits == 0)
        {
            values[..BlockLength].Clear();
            return;
        }

        var mask = bits == 32 ? uint.MaxValue : (1u << bits) - 1;
        for (var lane = 0; lane < 4; lane++)
        {
            for (var r = 0; r < 32; r++)
            {
                var bit = r * bits;
                var word = bit >> 5;
                var shift = bit & 31;
                ulong w = Word(packed, word, lane);
                if (shift + bits > 32)
                {
                    w |= (ulong)Word(packed, word + 1, lane) << 32;
                }

                values[(r * 4) + lane] = (uint)(w >> shift) & mask;
            }
        }
    }

    /// <summary>Unpacks a sorted block: the stored differences are added up from <paramref name="initial"/>.</summary>
    public static void UnpackSorted(ReadOnlySpan<byte> packed, int bits, uint initial, Span<uint> values)
    {
        Unpack(packed, bits, values);
        var previous = initial;
        for (var i = 0; i < BlockLength; i++)
        {
            previous += values[i];
            values[i] = previous;
        }
    }

    /// <summary>Packs a block of 128 values into <paramref name="packed"/> (at least <see cref="PackedBytes"/> bytes, cleared).</summary>
    public static void Pack(ReadOnlySpan<uint> values, int bits, Span<byte> packed)
    {
        if (bits == 0)
        {
            return;
        }

        Span<uint> words = stackalloc uint[bits * 4];
        words.Clear();
        for (var lane = 0; lane < 4; lane++)
        {
            for (var r = 0; r < 32; r++)
            {
                var v = (ulong)values[(r * 4) + lane];
                var bit = r * bits;
                var word = bit >> 5;
                var shift = bit & 31;
                words[(word * 4) + lane] |= (uint)(v << shift);
                if (shift + bits > 32)
                {
                    words[((word + 1) * 4) + lane] |= (uint)(v >> (32 - shift));
                }
            }
        }

        for (var i = 0; i < words.Length; i++)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(packed[(i * 4)..], words[i]);
        }
    }

    /// <summary>Packs the differences of a sorted block from <paramref name="initial"/> on.</summary>
    public static void PackSorted(ReadOnlySpan<uint> values, uint initial, int bits, Span<byte> packed)
    {
        Span<uint> deltas = stackalloc uint[BlockLength];
        var previous = initial;
        for (var i = 0; i < BlockLength; i++)
        {
            deltas[i] = values[i] - previous;
            previous = values[i];
        }

        Pack(deltas, bits, packed);
    }

    private static uint Word(ReadOnlySpan<byte> packed, int word, int lane)
        => BinaryPrimitives.ReadUInt32LittleEndian(packed[(((word * 4) + lane) * 4)..]);
}
