using System.Buffers.Binary;
using System.Runtime.InteropServices;
using Lance.Engine.DataFiles.Nested;
using Lance.Engine.Format;
using Enc21 = Lance.Engine.Format.Protos.Encodings21;

namespace Lance.Engine.DataFiles.Encodings;

/// <summary>Reads a mini-block page (see <see cref="MiniBlockEncoder"/> for the layout) into a <see cref="ColumnBuilder"/>.</summary>
internal static class MiniBlockDecoder
{
    private const int Alignment = 8;

    /// <summary>Decodes <paramref name="rows"/> rows from the page's buffers (chunk words, chunks).</summary>
    /// <param name="layout">The page's layout.</param>
    /// <param name="buffers">The page's buffers.</param>
    /// <param name="rows">The page's rows.</param>
    /// <param name="builder">Receives the values (for a nested column, the visible ones).</param>
    /// <param name="columnName">For messages.</param>
    /// <param name="levels">For a leaf of a nested column, receives its rep/def levels; null for a flat column.</param>
    /// <exception cref="LanceFormatException">The page uses dictionaries or encodings not supported, or is corrupt.</exception>
    public static void Decode(
        Enc21.MiniBlockLayout layout, IReadOnlyList<ReadOnlyMemory<byte>> buffers, long rows, ColumnBuilder builder, string columnName,
        LevelCollector? levels = null)
    {
        if (Compression.CompressedMiniBlockDecoder.Handles(layout))
        {
            Compression.CompressedMiniBlockDecoder.Decode(layout, buffers, rows, builder, columnName, levels);
            return;
        }

        bool hasRep = layout.RepCompression is not null;
        if (hasRep && levels is null)
        {
            throw new LanceFormatException($"Column '{columnName}' has repetition levels (lists) but its field is not a list.");
        }

        if (hasRep)
        {
            LevelDecoder.Check(layout.RepCompression, columnName, "repetition");
        }

        levels?.BeginPage(layout.Layers);

        if (layout.Dictionary is not null)
        {
            throw ValueEncoding.Unsupported(columnName, "Dictionary (mini-block dictionary)");
        }

        bool hasDefinitions = layout.DefCompression is not null;
        if (hasDefinitions)
        {
            LevelDecoder.Check(layout.DefCompression, columnName, "definition");
        }

        var values = ValueEncoding.From(layout.ValueCompression, columnName);
        CheckWidth(values, builder, columnName);
        if (layout.NumBuffers != 1)
        {
            throw new LanceFormatException($"Column '{columnName}': mini-block pages with {layout.NumBuffers} value buffers per chunk are not supported.");
        }

        if (buffers.Count < 2)
        {
            throw new LanceFormatException($"Column '{columnName}': a mini-block page needs 2 buffers but has {buffers.Count}.");
        }

        if (buffers[0].Length % 2 != 0)
        {
            throw new LanceFormatException($"Column '{columnName}': a mini-block page's chunk table has an odd length ({buffers[0].Length} bytes).");
        }

        var words = MemoryMarshal.Cast<byte, ushort>(buffers[0].Span);
        var data = buffers[1].Span;
        // Chunks count values (items); for a list column those differ from rows.
        long items = levels is not null || layout.NumItems > 0 ? (long)layout.NumItems : rows;
        long remaining = items;
        int position = 0;
        ushort[]? repScratch = null;
        ushort[]? defScratch = null;
        foreach (ushort rawWord in words)
        {
            ushort word = BitConverter.IsLittleEndian ? rawWord : BinaryPrimitives.ReverseEndianness(rawWord);
            int chunkBytes = ((word >> 4) + 1) * Alignment;
            int log2 = word & 0xF;
            int count = (int)(log2 == 0 ? remaining : Math.Min(1 << log2, remaining));
            if (count <= 0)
            {
                throw new LanceFormatException($"Column '{columnName}': a mini-block page has more chunks than its {items} values fill.");
            }

            if (position + chunkBytes > data.Length)
            {
                throw new LanceFormatException($"Column '{columnName}': a mini-block chunk runs past the end of its page.");
            }

            var chunk = data.Slice(position, chunkBytes);
            var reader = new ChunkReader(chunk, columnName);
            int levelCount = reader.ReadU16(); // equal to the value count in a flat column with levels
            int repetitionBytes = hasRep ? reader.ReadU16() : 0;
            int definitionBytes = hasDefinitions ? reader.ReadU16() : 0;
            int valueBytes = reader.ReadU16();
            reader.Align();
            var repetitions = reader.Take(repetitionBytes);
            var definitions = reader.Take(definitionBytes);
            var valueBuffer = reader.Take(valueBytes);
            if (values.IsVariable)
            {
                if (values.Bits == 32)
                {
                    builder.AppendVariableRun(valueBuffer, CheckedOffsets(MemoryMarshal.Cast<byte, uint>(valueBuffer), count, valueBuffer.Length, columnName), count);
                }
                else
                {
                    builder.AppendVariableRun(valueBuffer, CheckedOffsets(MemoryMarshal.Cast<byte, ulong>(valueBuffer), count, valueBuffer.Length, columnName), count);
                }
            }
            else
            {
                if ((long)count * values.Bits > (long)valueBuffer.Length * 8)
                {
                    throw new LanceFormatException($"Column '{columnName}': a mini-block chunk of {count} values holds only {valueBuffer.Length} value bytes.");
                }

                builder.AppendFixed(valueBuffer, count);
            }

            if (levels is not null)
            {
                int entries = hasRep || hasDefinitions ? levelCount : count;
                var repLevels = hasRep ? Scratch(ref repScratch, entries) : default;
                var defLevels = hasDefinitions ? Scratch(ref defScratch, entries) : default;
                LevelDecoder.Decode(layout.RepCompression, repetitions, repLevels, columnName, "repetition");
                LevelDecoder.Decode(layout.DefCompression, definitions, defLevels, columnName, "definition");
                levels.AddRun(repLevels, defLevels, entries, count, builder);
            }
            else if (hasDefinitions)
            {
                var defLevels = Scratch(ref defScratch, count);
                LevelDecoder.Decode(layout.DefCompression, definitions, defLevels, columnName, "definition");
                builder.ApplyDefinitions(defLevels);
            }

            position += chunkBytes;
            remaining -= count;
        }

        if (remaining != 0)
        {
            throw new LanceFormatException($"Column '{columnName}': a mini-block page promised {items} values but its chunks hold {items - remaining}.");
        }
    }

    private static Span<ushort> Scratch(ref ushort[]? scratch, int count)
    {
        if (scratch is null || scratch.Length < count)
        {
            scratch = new ushort[Math.Max(count, 4096)];
        }

        return scratch.AsSpan(0, count);
    }

    // Offsets of a variable chunk: count + 1 of them, non-decreasing, inside the buffer.
    private static ReadOnlySpan<T> CheckedOffsets<T>(ReadOnlySpan<T> offsets, int count, int bufferLength, string columnName)
        where T : unmanaged, System.Numerics.IBinaryInteger<T>
    {
        if (offsets.Length < count + 1)
        {
            throw new LanceFormatException($"Column '{columnName}': a mini-block chunk of {count} strings has room for only {offsets.Length} offsets.");
        }

        offsets = offsets[..(count + 1)];
        for (int i = 0; i < count; i++)
        {
            if (offsets[i + 1] < offsets[i])
            {
                throw new LanceFormatException($"Column '{columnName}': a mini-block chunk's offsets decrease ({offsets[i]} then {offsets[i + 1]}).");
            }
        }

        if (long.CreateChecked(offsets[count]) > bufferLength || long.CreateChecked(offsets[0]) < (count + 1) * System.Runtime.CompilerServices.Unsafe.SizeOf<T>())
        {
            throw new LanceFormatException($"Column '{columnName}': a mini-block chunk's offsets point outside its {bufferLength}-byte buffer.");
        }

        return offsets;
    }

    /// <summary>Reads a chunk's header and buffers, refusing to read past its end.</summary>
    private ref struct ChunkReader(ReadOnlySpan<byte> chunk, string columnName)
    {
        private readonly ReadOnlySpan<byte> _chunk = chunk;
        private int _cursor;

        public ushort ReadU16()
        {
            if (_cursor + 2 > _chunk.Length)
            {
                throw new LanceFormatException($"Column '{columnName}': a mini-block chunk of {_chunk.Length} bytes is too short for its header.");
            }

            _cursor += 2;
            return BinaryPrimitives.ReadUInt16LittleEndian(_chunk[(_cursor - 2)..]);
        }

        public void Align() => _cursor = Pad(_cursor);

        public ReadOnlySpan<byte> Take(int length)
        {
            if (length == 0)
            {
                return default;
            }

            if (_cursor + length > _chunk.Length)
            {
                throw new LanceFormatException($"Column '{columnName}': a mini-block chunk of {_chunk.Length} bytes names a buffer that runs past its end.");
            }

            var result = _chunk.Slice(_cursor, length);
            _cursor = Pad(_cursor + length);
            return result;
        }
    }

    /// <summary>Checks that the stored value width matches the schema's type.</summary>
    public static void CheckWidth(ValueEncoding values, ColumnBuilder builder, string columnName)
    {
        if (values.IsVariable != builder.IsVariable || (!values.IsVariable && values.Bits != builder.BitsPerValue))
        {
            throw new LanceFormatException(
                $"Column '{columnName}': its pages store {(values.IsVariable ? "variable-width" : $"{values.Bits}-bit")} values, which does not match its type.");
        }
    }

    private static int Pad(int offset) => (offset + Alignment - 1) & ~(Alignment - 1);
}
