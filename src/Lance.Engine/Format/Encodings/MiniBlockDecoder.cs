using System.Buffers.Binary;
using System.Runtime.InteropServices;
using Enc21 = Lance.Engine.Format.Protos.Encodings21;

namespace Lance.Engine.Format.Encodings;

/// <summary>Reads a mini-block page (see <see cref="MiniBlockEncoder"/> for the layout) into a <see cref="ColumnBuilder"/>.</summary>
internal static class MiniBlockDecoder
{
    private const int Alignment = 8;

    /// <summary>Decodes <paramref name="rows"/> rows from the page's buffers (chunk words, chunks).</summary>
    /// <exception cref="LanceFormatException">The page uses repetition, dictionaries or encodings not supported, or is corrupt.</exception>
    public static void Decode(Enc21.MiniBlockLayout layout, IReadOnlyList<ReadOnlyMemory<byte>> buffers, long rows, ColumnBuilder builder, string columnName)
    {
        if (Compression.CompressedMiniBlockDecoder.Handles(layout))
        {
            Compression.CompressedMiniBlockDecoder.Decode(layout, buffers, rows, builder, columnName);
            return;
        }

        if (layout.RepCompression is not null)
        {
            throw new LanceFormatException($"Column '{columnName}' has repetition levels (lists); nested data is not supported yet.");
        }

        if (layout.Dictionary is not null)
        {
            throw ValueEncoding.Unsupported(columnName, "Dictionary (mini-block dictionary)");
        }

        bool hasDefinitions = layout.DefCompression is not null;
        int definitionBits = 0;
        if (hasDefinitions)
        {
            var definition = ValueEncoding.From(layout.DefCompression, columnName);
            definitionBits = definition.Bits;
            if (definition.IsVariable || definitionBits is not (8 or 16))
            {
                throw ValueEncoding.Unsupported(columnName, $"{ValueEncoding.Name(layout.DefCompression)} definition levels of {definitionBits} bits");
            }
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

        var words = MemoryMarshal.Cast<byte, ushort>(buffers[0].Span);
        var data = buffers[1].Span;
        long remaining = rows;
        int position = 0;
        ushort[]? scratch = null;
        foreach (ushort rawWord in words)
        {
            ushort word = BitConverter.IsLittleEndian ? rawWord : BinaryPrimitives.ReverseEndianness(rawWord);
            int chunkBytes = ((word >> 4) + 1) * Alignment;
            int log2 = word & 0xF;
            int count = (int)(log2 == 0 ? remaining : Math.Min(1 << log2, remaining));
            if (position + chunkBytes > data.Length)
            {
                throw new LanceFormatException($"Column '{columnName}': a mini-block chunk runs past the end of its page.");
            }

            var chunk = data.Slice(position, chunkBytes);
            int cursor = 2; // the level count: equal to the value count when levels are present
            int definitionBytes = 0;
            if (hasDefinitions)
            {
                definitionBytes = BinaryPrimitives.ReadUInt16LittleEndian(chunk[cursor..]);
                cursor += 2;
            }

            int valueBytes = BinaryPrimitives.ReadUInt16LittleEndian(chunk[cursor..]);
            cursor = Pad(cursor + 2);
            ReadOnlySpan<byte> definitions = default;
            if (hasDefinitions)
            {
                definitions = chunk.Slice(cursor, definitionBytes);
                cursor = Pad(cursor + definitionBytes);
            }

            var valueBuffer = chunk.Slice(cursor, valueBytes);
            if (values.IsVariable)
            {
                if (values.Bits == 32)
                {
                    builder.AppendVariableRun(valueBuffer, MemoryMarshal.Cast<byte, uint>(valueBuffer)[..(count + 1)], count);
                }
                else
                {
                    builder.AppendVariableRun(valueBuffer, MemoryMarshal.Cast<byte, ulong>(valueBuffer)[..(count + 1)], count);
                }
            }
            else
            {
                builder.AppendFixed(valueBuffer, count);
            }

            if (hasDefinitions)
            {
                scratch ??= new ushort[4096];
                if (scratch.Length < count)
                {
                    scratch = new ushort[count];
                }

                var levels = scratch.AsSpan(0, count);
                for (int i = 0; i < count; i++)
                {
                    levels[i] = definitionBits == 16 ? BinaryPrimitives.ReadUInt16LittleEndian(definitions[(i * 2)..]) : definitions[i];
                }

                builder.ApplyDefinitions(levels);
            }

            position += chunkBytes;
            remaining -= count;
        }

        if (remaining != 0)
        {
            throw new LanceFormatException($"Column '{columnName}': a mini-block page promised {rows} rows but its chunks hold {rows - remaining}.");
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
