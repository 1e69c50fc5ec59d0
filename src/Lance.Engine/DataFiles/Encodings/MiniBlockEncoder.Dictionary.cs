using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Lance.Engine.DataFiles.Nested;

namespace Lance.Engine.DataFiles.Encodings;

/// <summary>The page dictionary of the mini-block layout: short values that repeat, stored once, and per value an index.</summary>
internal static partial class MiniBlockEncoder
{
    /// <summary>
    /// Encodes a page of variable-width values through a page dictionary, as Lance stores short values that repeat: the
    /// distinct values (in order of first appearance) as page buffer 2 in Lance's block layout for byte strings, and per
    /// value its 32-bit dictionary index, bit-packed (<see cref="EncodeBitpacked"/>). Returns null when the values repeat too
    /// little for a dictionary to pay (more than one distinct value in two).
    /// </summary>
    public static EncodedPage? EncodeDictionary(GatheredPage page, int offsetBits, PageLevels? levels = null, bool largeChunks = false)
    {
        // The indices are packed into the page's own buffer below: theirs is rented for the time of the encoding.
        var indexBytes = System.Buffers.ArrayPool<byte>.Shared.Rent(checked(page.Count * 4));
        try
        {
            return EncodeDictionaryInto(page, offsetBits, levels, largeChunks, indexBytes);
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(indexBytes);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static EncodedPage? EncodeDictionaryInto(GatheredPage page, int offsetBits, PageLevels? levels, bool largeChunks, byte[] indexBytes)
    {
        int count = page.Count;
        var offsets = page.Offsets;
        var data = page.Values;
        var indices = MemoryMarshal.Cast<byte, uint>(indexBytes.AsSpan(0, count * 4));
        var shortValues = new ShortValueTable();
        Dictionary<string, uint>? longValues = null;
        var distinct = new List<(long Start, int Length)>();
        long limit = (count + 1024L) / 2;
        for (int i = 0; i < count; i++)
        {
            long start = offsets[i];
            int length = (int)(offsets[i + 1] - start);
            uint index;
            if (length <= 8)
            {
                ulong bits = ShortValueBits(data, (int)start, length);
                index = shortValues.GetOrAdd(bits, length, (uint)distinct.Count);
                if (index == distinct.Count)
                {
                    distinct.Add((start, length));
                }
            }
            else
            {
                longValues ??= new Dictionary<string, uint>(StringComparer.Ordinal);
                ref var slot = ref CollectionsMarshal.GetValueRefOrAddDefault(longValues, System.Text.Encoding.Latin1.GetString(data.Slice((int)start, length)), out bool exists);
                if (!exists)
                {
                    slot = (uint)distinct.Count;
                    distinct.Add((start, length));
                }

                index = slot;
            }

            indices[i] = index;
            if (distinct.Count > limit)
            {
                return null;
            }
        }

        var encoded = EncodeBitpacked(page, indexBytes.AsMemory(0, count * 4), 32, levels, largeChunks);
        encoded.Layout.MiniBlockLayout.Dictionary = EncodingProtos.Variable(offsetBits);
        encoded.Layout.MiniBlockLayout.NumDictionaryItems = (ulong)distinct.Count;
        // The dictionary is buffer 2; a repetition index, when there is one, comes last.
        return encoded with { Buffers = [encoded.Buffers[0], encoded.Buffers[1], DictionaryBlock(data, distinct, offsetBits), .. encoded.Buffers.Skip(2)] };
    }

    // A value of at most 8 bytes as a little-endian word, zero-padded: one 8-byte read where the data goes on past it.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong ShortValueBits(ReadOnlySpan<byte> data, int start, int length)
    {
        if (start + sizeof(ulong) <= data.Length)
        {
            var word = BinaryPrimitives.ReadUInt64LittleEndian(data[start..]);
            return length == sizeof(ulong) ? word : word & ((1UL << (8 * length)) - 1);
        }

        ulong bits = 0;
        for (int k = 0; k < length; k++)
        {
            bits |= (ulong)data[start + k] << (8 * k);
        }

        return bits;
    }

    // Lance's block layout for byte strings: u32 32 | u32 start of bytes | (n + 1) u32 offsets | bytes, or the same with u64 words.
    private static byte[] DictionaryBlock(ReadOnlySpan<byte> data, List<(long Start, int Length)> values, int offsetBits)
    {
        int word = offsetBits / 8;
        long bytes = 0;
        foreach (var v in values)
        {
            bytes += v.Length;
        }

        int header = (2 + values.Count + 1) * word;
        var block = new byte[checked(header + (int)bytes)];
        void Write(int at, long value)
        {
            if (word == 4)
            {
                BinaryPrimitives.WriteUInt32LittleEndian(block.AsSpan(at), (uint)value);
            }
            else
            {
                BinaryPrimitives.WriteUInt64LittleEndian(block.AsSpan(at), (ulong)value);
            }
        }

        Write(0, offsetBits);
        Write(word, header);
        int offset = 0;
        for (int i = 0; i < values.Count; i++)
        {
            Write((2 + i) * word, offset);
            data.Slice((int)values[i].Start, values[i].Length).CopyTo(block.AsSpan(header + offset));
            offset += values[i].Length;
        }

        Write((2 + values.Count) * word, offset);
        return block;
    }
}
