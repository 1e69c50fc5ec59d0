using System.Buffers.Binary;
using Lance.Engine.DataFiles.Encodings;
using Lance.Engine.DataFiles.Nested;
using Lance.Engine.Format;
using Enc21 = Lance.Engine.Format.Protos.Encodings21;

namespace Lance.Engine.DataFiles.Compression;

/// <summary>
/// Reads the mini-block pages LanceDB writes with compressive encodings (bit-packing, RLE, FSST,
/// dictionaries, general compression, 2.2's large chunks) into a <see cref="ColumnBuilder"/>. Pages
/// of plain <c>Flat</c>/<c>Variable</c>/<c>FixedSizeList</c> values are left to
/// <see cref="MiniBlockDecoder"/>.
/// </summary>
internal static class CompressedMiniBlockDecoder
{
    private const int Alignment = 8;

    /// <summary>Whether the page needs this decoder rather than the plain one.</summary>
    public static bool Handles(Enc21.MiniBlockLayout layout) =>
        layout.Dictionary is not null
        || layout.HasLargeChunk
        || layout.NumBuffers != 1
        || !IsPlain(layout.ValueCompression)
        || (layout.DefCompression is not null && layout.DefCompression.CompressionCase != Enc21.CompressiveEncoding.CompressionOneofCase.Flat)
        || (layout.RepCompression is not null && layout.RepCompression.CompressionCase != Enc21.CompressiveEncoding.CompressionOneofCase.Flat);

    /// <summary>One decoded chunk: its levels (null when absent) and values.</summary>
    /// <param name="LevelCount">The number of rep/def levels (0 when the page has none).</param>
    /// <param name="Repetition">Repetition levels, one per level, or null.</param>
    /// <param name="Definition">Definition levels, one per level, or null.</param>
    /// <param name="Values">The chunk's values (dictionary indices when the page has a dictionary).</param>
    public readonly record struct Chunk(int LevelCount, ushort[]? Repetition, ushort[]? Definition, DecodedValues Values);

    /// <summary>Decodes a page of <paramref name="rows"/> rows into <paramref name="builder"/> (and, for a leaf of a nested column, its levels into <paramref name="levels"/>).</summary>
    /// <exception cref="LanceFormatException">The page is corrupt or uses an encoding not supported.</exception>
    public static void Decode(
        Enc21.MiniBlockLayout layout, IReadOnlyList<ReadOnlyMemory<byte>> buffers, long rows, ColumnBuilder builder, string columnName,
        LevelCollector? levels = null)
    {
        string what = $"Column '{columnName}'";
        if (layout.RepCompression is not null && levels is null)
        {
            throw new LanceFormatException($"{what} has repetition levels (lists) but its field is not a list.");
        }

        levels?.BeginPage(layout.Layers);
        DecodedValues? dictionary = ReadDictionary(layout, buffers, what);
        long before = builder.Length;
        // Chunks count values (items); for a list column those differ from rows.
        long items = levels is not null || layout.NumItems > 0 ? (long)layout.NumItems : rows;
        foreach (var chunk in ReadChunks(layout, buffers, items, what))
        {
            var values = dictionary is null ? chunk.Values : Lookup(dictionary, chunk.Values, what);
            Append(values, builder, what);
            if (levels is not null)
            {
                int entries = chunk.LevelCount > 0 ? chunk.LevelCount : values.Count;
                levels.AddRun(chunk.Repetition, chunk.Definition, entries, values.Count, builder);
                continue;
            }

            if (chunk.Definition is { } definitions)
            {
                if (definitions.Length != values.Count)
                {
                    throw new LanceFormatException($"{what} is corrupt: a chunk has {definitions.Length} definition levels for {values.Count} values.");
                }

                builder.ApplyDefinitions(definitions);
            }
        }

        if (levels is null && builder.Length - before != rows)
        {
            throw new LanceFormatException($"{what} is corrupt: a mini-block page promised {rows} rows but its chunks hold {builder.Length - before}.");
        }
    }

    /// <summary>The page's dictionary (buffer 2), decoded; null when the page has none.</summary>
    public static DecodedValues? ReadDictionary(Enc21.MiniBlockLayout layout, IReadOnlyList<ReadOnlyMemory<byte>> buffers, string what)
    {
        if (layout.Dictionary is null)
        {
            return null;
        }

        if (buffers.Count < 3)
        {
            throw new LanceFormatException($"{what} is corrupt: a dictionary page has {buffers.Count} buffers, not 3.");
        }

        if (layout.NumDictionaryItems > int.MaxValue)
        {
            throw new LanceFormatException($"{what} is corrupt: a dictionary of {layout.NumDictionaryItems} items.");
        }

        return Decompressors.Block(layout.Dictionary, buffers[2].Span, (int)layout.NumDictionaryItems, what + " (dictionary)");
    }

    /// <summary>Splits the page into chunks of <paramref name="rows"/> values in all and decodes each one's levels and values.</summary>
    public static IEnumerable<Chunk> ReadChunks(Enc21.MiniBlockLayout layout, IReadOnlyList<ReadOnlyMemory<byte>> buffers, long rows, string what)
    {
        if (buffers.Count < 2)
        {
            throw new LanceFormatException($"{what} is corrupt: a mini-block page needs 2 buffers but has {buffers.Count}.");
        }

        if (layout.NumBuffers is 0 or > 16)
        {
            throw new LanceFormatException($"{what} is corrupt: {layout.NumBuffers} value buffers per chunk.");
        }

        bool large = layout.HasLargeChunk;
        int wordSize = large ? 4 : 2;
        var words = buffers[0];
        var data = buffers[1];
        long remaining = rows;
        int position = 0;
        for (int w = 0; w + wordSize <= words.Length; w += wordSize)
        {
            uint word = large ? BinaryPrimitives.ReadUInt32LittleEndian(words.Span[w..]) : BinaryPrimitives.ReadUInt16LittleEndian(words.Span[w..]);
            long chunkBytes = ((long)(word >> 4) + 1) * Alignment;
            int log2 = (int)(word & 0xF);
            bool last = w + wordSize >= words.Length;
            // Every chunk but the last holds 2^log2 values (rows when there are no lists).
            int count = (int)(last ? remaining : Math.Min(1L << log2, remaining));
            if (chunkBytes > data.Length - position)
            {
                throw new LanceFormatException($"{what} is corrupt: a mini-block chunk of {chunkBytes} bytes runs past the end of its page.");
            }

            yield return DecodeChunk(layout, data.Slice(position, (int)chunkBytes), count, large, what);
            position += (int)chunkBytes;
            remaining -= count;
            if (remaining < 0)
            {
                throw new LanceFormatException($"{what} is corrupt: its chunks hold more than {rows} rows.");
            }
        }

        if (remaining != 0)
        {
            throw new LanceFormatException($"{what} is corrupt: a mini-block page promised {rows} rows but its chunks hold {rows - remaining}.");
        }
    }

    private static Chunk DecodeChunk(Enc21.MiniBlockLayout layout, ReadOnlyMemory<byte> chunk, int count, bool large, string what)
    {
        var span = chunk.Span;
        int cursor = 0;
        int levels = ReadU16(span, ref cursor, what);
        int repBytes = layout.RepCompression is null ? 0 : ReadU16(span, ref cursor, what);
        int defBytes = layout.DefCompression is null ? 0 : ReadU16(span, ref cursor, what);
        var sizes = new int[layout.NumBuffers];
        for (int i = 0; i < sizes.Length; i++)
        {
            sizes[i] = large ? checked((int)ReadU32(span, ref cursor, what)) : ReadU16(span, ref cursor, what);
        }

        cursor = Pad(cursor);
        var repetition = layout.RepCompression is null ? default : Take(chunk, ref cursor, repBytes, what);
        var definition = layout.DefCompression is null ? default : Take(chunk, ref cursor, defBytes, what);
        var valueBuffers = new ReadOnlyMemory<byte>[sizes.Length];
        for (int i = 0; i < sizes.Length; i++)
        {
            valueBuffers[i] = Take(chunk, ref cursor, sizes[i], what);
        }

        ushort[]? rep = layout.RepCompression is null || levels == 0 ? null
            : Decompressors.Block(layout.RepCompression, repetition.Span, levels, what + " (repetition levels)").AsLevels(what);
        ushort[]? def = layout.DefCompression is null || levels == 0 ? null
            : Decompressors.Block(layout.DefCompression, definition.Span, levels, what + " (definition levels)").AsLevels(what);

        if ((rep is not null && rep.Length != levels) || (def is not null && def.Length != levels))
        {
            throw new LanceFormatException($"{what} is corrupt: a chunk's levels do not match its level count {levels}.");
        }

        var values = Decompressors.MiniBlock(layout.ValueCompression, valueBuffers, count, what);
        return new Chunk(rep is null && def is null ? 0 : levels, rep, def, values);
    }

    private static DecodedValues Lookup(DecodedValues dictionary, DecodedValues indices, string what)
    {
        if (indices.IsVariable)
        {
            throw new LanceFormatException($"{what} is corrupt: dictionary indices are variable-width.");
        }

        if (dictionary.IsVariable)
        {
            var offsets = new long[indices.Count + 1];
            long total = 0;
            for (int i = 0; i < indices.Count; i++)
            {
                long index = CheckIndex(indices.IndexAt(i), dictionary.Count, what);
                total += dictionary.Offsets![index + 1] - dictionary.Offsets[index];
                offsets[i + 1] = total;
            }

            var data = new byte[total];
            for (int i = 0; i < indices.Count; i++)
            {
                dictionary.Value((int)CheckIndex(indices.IndexAt(i), dictionary.Count, what)).CopyTo(data.AsSpan((int)offsets[i]));
            }

            return DecodedValues.Variable(indices.Count, data, data.Length, offsets);
        }

        int width = dictionary.BitsPerValue / 8;
        var fixedData = new byte[indices.Count * width];
        for (int i = 0; i < indices.Count; i++)
        {
            long index = CheckIndex(indices.IndexAt(i), dictionary.Count, what);
            dictionary.Span.Slice((int)index * width, width).CopyTo(fixedData.AsSpan(i * width));
        }

        return DecodedValues.Fixed(indices.Count, dictionary.BitsPerValue, fixedData);
    }

    // A null row's index may point anywhere (it is not read), so clamp rather than fail for those.
    private static long CheckIndex(long index, int count, string what) =>
        index >= 0 && index < count ? index
            : count > 0 ? 0 : throw new LanceFormatException($"{what} is corrupt: a dictionary index {index} into an empty dictionary.");

    /// <summary>Appends decoded values to the builder, checking that their width fits the column's type.</summary>
    public static void Append(DecodedValues values, ColumnBuilder builder, string what)
    {
        if (values.IsVariable != builder.IsVariable || (!values.IsVariable && values.BitsPerValue != builder.BitsPerValue))
        {
            throw new LanceFormatException(
                $"{what}: its pages store {(values.IsVariable ? "variable-width" : $"{values.BitsPerValue}-bit")} values, which does not match its type.");
        }

        if (values.IsVariable)
        {
            builder.AppendVariableRun(values.Span, values.Offsets.AsSpan(), values.Count);
        }
        else
        {
            builder.AppendFixed(values.Span, values.Count);
            if (values.ItemValidity is { } items)
            {
                builder.ApplyItemValidity(items, values.Count, 0, what);
            }
        }
    }

    private static bool IsPlain(Enc21.CompressiveEncoding? encoding) => encoding?.CompressionCase switch
    {
        Enc21.CompressiveEncoding.CompressionOneofCase.Flat => encoding.Flat.Data is null,
        Enc21.CompressiveEncoding.CompressionOneofCase.Variable =>
            encoding.Variable.Values is null && encoding.Variable.Offsets?.CompressionCase == Enc21.CompressiveEncoding.CompressionOneofCase.Flat,
        Enc21.CompressiveEncoding.CompressionOneofCase.FixedSizeList => !encoding.FixedSizeList.HasValidity && IsPlain(encoding.FixedSizeList.Values),
        _ => false,
    };

    private static int Pad(int offset) => (offset + Alignment - 1) & ~(Alignment - 1);

    private static ReadOnlyMemory<byte> Take(ReadOnlyMemory<byte> chunk, ref int cursor, int length, string what)
    {
        if (length < 0 || length > chunk.Length - cursor)
        {
            throw new LanceFormatException($"{what} is corrupt: a chunk buffer of {length} bytes at {cursor} runs past its {chunk.Length}-byte chunk.");
        }

        var slice = chunk.Slice(cursor, length);
        cursor = Math.Min(chunk.Length, Pad(cursor + length));
        return slice;
    }

    private static ushort ReadU16(ReadOnlySpan<byte> span, ref int cursor, string what)
    {
        if (cursor + 2 > span.Length)
        {
            throw new LanceFormatException($"{what} is corrupt: a chunk header runs past its chunk.");
        }

        cursor += 2;
        return BinaryPrimitives.ReadUInt16LittleEndian(span[(cursor - 2)..]);
    }

    private static uint ReadU32(ReadOnlySpan<byte> span, ref int cursor, string what)
    {
        if (cursor + 4 > span.Length)
        {
            throw new LanceFormatException($"{what} is corrupt: a chunk header runs past its chunk.");
        }

        cursor += 4;
        return BinaryPrimitives.ReadUInt32LittleEndian(span[(cursor - 4)..]);
    }
}
