using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;
using Apache.Arrow;
using Apache.Arrow.Types;
using Enc21 = Lance.Engine.Format.Protos.Encodings21;

namespace Lance.Engine.Format.Encodings;

/// <summary>
/// Dictionary-encoded string columns (Arrow <c>dictionary&lt;int32, utf8&gt;</c>), stored as Lance
/// stores an already dictionary-encoded array: a mini-block page of 32-bit indices (nulls as
/// definition levels) whose layout names the dictionary's encoding, with the page's dictionary as
/// page buffer 2 in Lance's block layout for strings: <c>u32 32 | u32 start of bytes | (n + 1) u32
/// offsets | bytes</c>. Each page has its own dictionary; reading concatenates them.
/// </summary>
internal static class DictionaryPages
{
    /// <summary>Encodes rows [<paramref name="start"/>, + <paramref name="count"/>) of the column's dictionary arrays.</summary>
    /// <exception cref="LanceSchemaException">A null in a non-nullable column.</exception>
    public static EncodedPage Encode(LanceField field, IReadOnlyList<IArrowArray> arrays, long start, int count, GatheredPage page, bool largeChunks = false)
    {
        page.Reset(count, count * 4, variable: false);
        var indices = MemoryMarshal.Cast<byte, int>(page.Values);
        var definitions = page.Definitions;
        var distinct = new Dictionary<string, int>(StringComparer.Ordinal);
        var order = new List<string>();
        int written = 0;
        long skipped = 0;
        foreach (var array in arrays)
        {
            var dictionary = (DictionaryArray)array;
            var values = (StringArray)dictionary.Dictionary;
            var keys = (Int32Array)dictionary.Indices;
            for (int i = 0; i < dictionary.Length && written < count; i++, skipped++)
            {
                if (skipped < start)
                {
                    continue;
                }

                int? key = dictionary.IsValid(i) ? keys.GetValue(i) : null;
                if (key is null || values.IsNull(key.Value))
                {
                    definitions[written] = 1;
                    page.NullCount++;
                    indices[written++] = 0;
                    continue;
                }

                string value = values.GetString(key.Value);
                if (!distinct.TryGetValue(value, out int index))
                {
                    index = distinct.Count;
                    distinct[value] = index;
                    order.Add(value);
                }

                indices[written++] = index;
            }
        }

        if (page.NullCount > 0 && !field.Nullable)
        {
            throw new LanceSchemaException($"Column '{field.Name}' is not nullable but holds {page.NullCount} null value(s).");
        }

        if (page.NullCount == count)
        {
            // No values at all: Lance's simple all-null page.
            var allNull = new Enc21.AllNullLayout();
            allNull.Layers.Add(Enc21.RepDefLayer.RepdefNullableItem);
            return new EncodedPage([], new Enc21.PageLayout { AllNullLayout = allNull });
        }

        var encoded = MiniBlockEncoder.EncodeFixed(page, 32, EncodingProtos.Flat(32), largeChunks: largeChunks);
        encoded.Layout.MiniBlockLayout.Dictionary = EncodingProtos.Variable(32);
        encoded.Layout.MiniBlockLayout.NumDictionaryItems = (ulong)order.Count;
        return encoded with { Buffers = [encoded.Buffers[0], encoded.Buffers[1], DictionaryBlock(order)] };
    }

    private static byte[] DictionaryBlock(List<string> values)
    {
        var bytes = values.Select(Encoding.UTF8.GetBytes).ToList();
        int header = 8 + (4 * (values.Count + 1));
        var block = new byte[header + bytes.Sum(b => b.Length)];
        BinaryPrimitives.WriteUInt32LittleEndian(block, 32);
        BinaryPrimitives.WriteUInt32LittleEndian(block.AsSpan(4), (uint)header);
        int offset = 0;
        for (int i = 0; i < bytes.Count; i++)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(block.AsSpan(8 + (4 * i)), (uint)offset);
            bytes[i].CopyTo(block.AsSpan(header + offset));
            offset += bytes[i].Length;
        }

        BinaryPrimitives.WriteUInt32LittleEndian(block.AsSpan(8 + (4 * bytes.Count)), (uint)offset);
        return block;
    }

    /// <summary>Collects a dictionary column's pages: indices (shifted past earlier pages' dictionaries) and the dictionaries.</summary>
    internal sealed class Reader(DictionaryType type, long rows, string columnName)
    {
        private readonly ColumnBuilder _indices = new(Int32Type.Default, rows);
        private readonly ColumnBuilder _dictionary = new(type.ValueType, 0);

        /// <summary>The rows read so far.</summary>
        public int Length => _indices.Length;

        /// <summary>Decodes one page.</summary>
        /// <exception cref="LanceFormatException">The page is not a dictionary page this engine reads, or is corrupt.</exception>
        public void Decode(Enc21.PageLayout layout, IReadOnlyList<ReadOnlyMemory<byte>> buffers, long pageRows)
        {
            if (layout.LayoutCase == Enc21.PageLayout.LayoutOneofCase.AllNullLayout)
            {
                if (ConstantLayoutDecoder.HasScalar(layout.AllNullLayout, buffers.Count))
                {
                    // LanceDB cannot store a dictionary value as a page constant; never read one as nulls.
                    throw ValueEncoding.Unsupported(columnName, "constant page (one value for every row) in a dictionary column");
                }

                _indices.AppendNulls(checked((int)pageRows));
                return;
            }

            if (layout.MiniBlockLayout is not { Dictionary: { } dictionaryEncoding } miniBlock)
            {
                throw ValueEncoding.Unsupported(columnName, $"{layout.LayoutCase} page without a dictionary, in a dictionary column");
            }

            if (buffers.Count < 3)
            {
                throw new LanceFormatException($"Column '{columnName}': a dictionary page needs 3 buffers but has {buffers.Count}.");
            }

            int first = _dictionary.Length;
            ReadDictionary(dictionaryEncoding, buffers[2].Span, checked((int)miniBlock.NumDictionaryItems));
            int items = _dictionary.Length - first;

            var indexLayout = miniBlock.Clone();
            indexLayout.Dictionary = null;
            var page = new ColumnBuilder(Int32Type.Default, pageRows);
            MiniBlockDecoder.Decode(indexLayout, buffers, pageRows, page, columnName);
            var pageIndices = (Int32Array)page.Build();
            Span<byte> value = stackalloc byte[4];
            for (int i = 0; i < pageIndices.Length; i++)
            {
                if (pageIndices.GetValue(i) is not int index)
                {
                    _indices.AppendNulls(1);
                    continue;
                }

                if ((uint)index >= (uint)items)
                {
                    throw new LanceFormatException($"Column '{columnName}': dictionary index {index} is outside the page's {items}-entry dictionary.");
                }

                BinaryPrimitives.WriteInt32LittleEndian(value, first + index);
                _indices.AppendFixed(value, 1);
            }
        }

        /// <summary>The dictionary array.</summary>
        public IArrowArray Build()
        {
            var indices = _indices.Build().Data;
            var data = new ArrayData(type, indices.Length, indices.NullCount, 0, indices.Buffers, [], _dictionary.Build().Data);
            return new DictionaryArray(data);
        }

        private void ReadDictionary(Enc21.CompressiveEncoding encoding, ReadOnlySpan<byte> block, int count)
        {
            if (encoding.CompressionCase != Enc21.CompressiveEncoding.CompressionOneofCase.Variable)
            {
                // LanceDB compresses dictionaries (e.g. General/LZ4 in 2.2): the compressive decoders undo that.
                string what = $"Column '{columnName}' (dictionary)";
                Compression.CompressedMiniBlockDecoder.Append(Compression.Decompressors.Block(encoding, block, count, what), _dictionary, what);
                return;
            }

            var values = ValueEncoding.From(encoding, columnName);
            if (!values.IsVariable || values.Bits != 32)
            {
                throw ValueEncoding.Unsupported(columnName, $"dictionary of {ValueEncoding.Name(encoding)} values");
            }

            long offsetsEnd = 8 + (4L * (count + 1));
            if (block.Length < offsetsEnd || BinaryPrimitives.ReadUInt32LittleEndian(block) != 32)
            {
                throw new LanceFormatException($"Column '{columnName}': a page dictionary of {count} strings is truncated or not in the 32-bit string block layout.");
            }

            uint start = BinaryPrimitives.ReadUInt32LittleEndian(block[4..]);
            if (start < offsetsEnd || start > block.Length)
            {
                throw new LanceFormatException($"Column '{columnName}': a page dictionary's bytes start outside it.");
            }

            var offsets = MemoryMarshal.Cast<byte, uint>(block[8..(int)offsetsEnd]);
            var data = block[(int)start..];
            for (int i = 0; i < count; i++)
            {
                if (offsets[i + 1] < offsets[i] || offsets[i + 1] > data.Length)
                {
                    throw new LanceFormatException($"Column '{columnName}': a page dictionary's offsets point outside it.");
                }
            }

            _dictionary.AppendVariableRun(data, offsets, count);
        }
    }
}
