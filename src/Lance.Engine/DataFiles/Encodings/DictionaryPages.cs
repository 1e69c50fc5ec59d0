using System.Buffers.Binary;
using System.Runtime.InteropServices;
using Apache.Arrow;
using Apache.Arrow.Types;
using Lance.Engine.Arrow;
using Lance.Engine.Format;
using Enc21 = Lance.Engine.Format.Protos.Encodings21;

namespace Lance.Engine.DataFiles.Encodings;

/// <summary>
/// Dictionary-encoded columns (Arrow <c>dictionary&lt;any integer, utf8 | large_utf8 | binary |
/// large_binary&gt;</c>), stored as Lance stores an already dictionary-encoded array: a mini-block
/// page of indices as wide as the column's key type (nulls as definition levels; LanceDB hands the
/// decoded indices to Arrow as keys of that type) whose layout names the dictionary's encoding, with
/// the page's dictionary as page buffer 2 in Lance's block layout for byte strings: <c>u32 32 | u32
/// start of bytes | (n + 1) u32 offsets | bytes</c>, or with u64 words for the large types. Each page
/// has its own dictionary; reading concatenates them.
/// </summary>
internal static class DictionaryPages
{
    /// <summary>Encodes rows [<paramref name="start"/>, + <paramref name="count"/>) of the column's dictionary arrays.</summary>
    /// <exception cref="LanceSchemaException">A null in a non-nullable column, or more distinct values in a page than the key type can index.</exception>
    public static EncodedPage Encode(LanceField field, IReadOnlyList<IArrowArray> arrays, long start, int count, GatheredPage page, bool largeChunks = false)
    {
        var type = (DictionaryType)arrays[0].Data.DataType;
        int keyBits = ((FixedWidthType)type.IndexType).BitWidth;
        int keyBytes = keyBits / 8;
        page.Reset(count, count * keyBytes, variable: false);
        var indices = page.Values;
        var definitions = page.Definitions;
        var distinct = new Dictionary<string, int>(StringComparer.Ordinal);
        var order = new List<byte[]>();
        int written = 0;
        long skipped = 0;
        foreach (var array in arrays)
        {
            var data = array.Data;
            for (int i = 0; i < data.Length && written < count; i++, skipped++)
            {
                if (skipped < start)
                {
                    continue;
                }

                if (DictionaryArrays.IsNull(data, i))
                {
                    definitions[written] = 1;
                    page.NullCount++;
                    DictionaryArrays.WriteKey(indices[(written++ * keyBytes)..], keyBytes, 0);
                    continue;
                }

                var value = DictionaryArrays.ValueBytes(data.Dictionary!, (int)DictionaryArrays.KeyAt(data, i));
                string content = DictionaryArrays.ContentKey(value);
                if (!distinct.TryGetValue(content, out int index))
                {
                    index = distinct.Count;
                    if (index > DictionaryArrays.MaxKey(type.IndexType))
                    {
                        throw new LanceSchemaException(
                            $"Column '{field.Name}' holds more distinct values than its {type.IndexType.Name} dictionary keys can index.");
                    }

                    distinct[content] = index;
                    order.Add(value.ToArray());
                }

                DictionaryArrays.WriteKey(indices[(written++ * keyBytes)..], keyBytes, index);
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

        bool large = LanceLogicalTypes.HasLargeOffsets(type.ValueType);
        var encoded = MiniBlockEncoder.EncodeFixed(page, keyBits, EncodingProtos.Flat(keyBits), largeChunks: largeChunks);
        encoded.Layout.MiniBlockLayout.Dictionary = EncodingProtos.Variable(large ? 64 : 32);
        encoded.Layout.MiniBlockLayout.NumDictionaryItems = (ulong)order.Count;
        return encoded with { Buffers = [encoded.Buffers[0], encoded.Buffers[1], large ? DictionaryBlock64(order) : DictionaryBlock(order)] };
    }

    private static byte[] DictionaryBlock(List<byte[]> values)
    {
        int header = 8 + (4 * (values.Count + 1));
        var block = new byte[header + values.Sum(b => b.Length)];
        BinaryPrimitives.WriteUInt32LittleEndian(block, 32);
        BinaryPrimitives.WriteUInt32LittleEndian(block.AsSpan(4), (uint)header);
        int offset = 0;
        for (int i = 0; i < values.Count; i++)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(block.AsSpan(8 + (4 * i)), (uint)offset);
            values[i].CopyTo(block.AsSpan(header + offset));
            offset += values[i].Length;
        }

        BinaryPrimitives.WriteUInt32LittleEndian(block.AsSpan(8 + (4 * values.Count)), (uint)offset);
        return block;
    }

    // The 64-bit form for large strings and binaries: u64 64 | u64 start of bytes | (n + 1) u64 offsets | bytes.
    private static byte[] DictionaryBlock64(List<byte[]> values)
    {
        int header = 16 + (8 * (values.Count + 1));
        var block = new byte[header + values.Sum(b => b.Length)];
        BinaryPrimitives.WriteUInt64LittleEndian(block, 64);
        BinaryPrimitives.WriteUInt64LittleEndian(block.AsSpan(8), (ulong)header);
        long offset = 0;
        for (int i = 0; i < values.Count; i++)
        {
            BinaryPrimitives.WriteUInt64LittleEndian(block.AsSpan(16 + (8 * i)), (ulong)offset);
            values[i].CopyTo(block.AsSpan(header + (int)offset));
            offset += values[i].Length;
        }

        BinaryPrimitives.WriteUInt64LittleEndian(block.AsSpan(16 + (8 * values.Count)), (ulong)offset);
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
            // The indices are stored as wide as the column's keys.
            var page = new ColumnBuilder(type.IndexType, pageRows);
            MiniBlockDecoder.Decode(indexLayout, buffers, pageRows, page, columnName);
            var pageIndices = page.Build();
            var keys = new ArrayData(type, pageIndices.Length, pageIndices.NullCount, 0, pageIndices.Data.Buffers, []);
            Span<byte> value = stackalloc byte[4];
            for (int i = 0; i < pageIndices.Length; i++)
            {
                if (pageIndices.IsNull(i))
                {
                    _indices.AppendNulls(1);
                    continue;
                }

                long index = DictionaryArrays.KeyAt(keys, i);
                if (index < 0 || index >= items)
                {
                    throw new LanceFormatException($"Column '{columnName}': dictionary index {index} is outside the page's {items}-entry dictionary.");
                }

                BinaryPrimitives.WriteInt32LittleEndian(value, first + (int)index);
                _indices.AppendFixed(value, 1);
            }
        }

        /// <summary>The dictionary array.</summary>
        /// <exception cref="LanceFormatException">The column has more distinct values than its key type can index.</exception>
        public IArrowArray Build() => DictionaryArrays.Create(type, (Int32Array)_indices.Build(), _dictionary.Build(), columnName);

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
            if (!values.IsVariable || values.Bits is not (32 or 64))
            {
                throw ValueEncoding.Unsupported(columnName, $"dictionary of {ValueEncoding.Name(encoding)} values");
            }

            if (values.Bits == 32)
            {
                ReadBlock<uint>(block, count);
            }
            else
            {
                ReadBlock<ulong>(block, count);
            }
        }

        // Lance's block of byte strings: the offset width, the start of the bytes and the count + 1
        // offsets, each a word of that width (u32 or u64), then the bytes.
        private void ReadBlock<T>(ReadOnlySpan<byte> block, int count)
            where T : unmanaged, System.Numerics.IBinaryInteger<T>
        {
            int word = System.Runtime.CompilerServices.Unsafe.SizeOf<T>();
            long offsetsEnd = (2L * word) + ((long)word * (count + 1));
            if (block.Length < offsetsEnd || ReadWord(block, word) != (ulong)(word * 8))
            {
                throw new LanceFormatException($"Column '{columnName}': a page dictionary of {count} values is truncated or not in the {word * 8}-bit block layout.");
            }

            ulong start = ReadWord(block[word..], word);
            if (start < (ulong)offsetsEnd || start > (ulong)block.Length)
            {
                throw new LanceFormatException($"Column '{columnName}': a page dictionary's bytes start outside it.");
            }

            var offsets = MemoryMarshal.Cast<byte, T>(block[(2 * word)..(int)offsetsEnd]);
            var data = block[(int)start..];
            for (int i = 0; i < count; i++)
            {
                if (offsets[i + 1] < offsets[i] || ulong.CreateTruncating(offsets[i + 1]) > (ulong)data.Length)
                {
                    throw new LanceFormatException($"Column '{columnName}': a page dictionary's offsets point outside it.");
                }
            }

            _dictionary.AppendVariableRun(data, offsets, count);
        }

        private static ulong ReadWord(ReadOnlySpan<byte> bytes, int word) =>
            word == 4 ? BinaryPrimitives.ReadUInt32LittleEndian(bytes) : BinaryPrimitives.ReadUInt64LittleEndian(bytes);
    }
}
