using System.Buffers.Binary;
using System.Runtime.InteropServices;
using Apache.Arrow;
using Apache.Arrow.Types;
using Lance.Engine.Arrow;
using Lance.Engine.DataFiles.Compression;
using Lance.Engine.DataFiles.Encodings;
using Lance.Engine.Format;
using Enc20 = Lance.Engine.Format.Protos.Encodings20;
using File2 = Lance.Engine.Format.Protos.File2;

namespace Lance.Engine.DataFiles.V20;

/// <summary>One page of a format 2.0 column: its encoding, its buffers (already read) and its row count.</summary>
internal readonly record struct Page20(File2.Encoding Encoding, ReadOnlyMemory<byte>[] Buffers, long Length);

/// <summary>
/// Reads the list, struct and dictionary columns of Lance file format 2.0, where every field has a
/// column of its own, in pre-order:
/// <list type="bullet">
/// <item>a struct's column is a header whose pages (<c>SimpleStruct</c>) only count rows; its children's
/// columns follow. 2.0 stores no struct validity: a struct is never null, its children are.</item>
/// <item>a list's column holds its offsets (<c>List</c>): per page, one u64 end offset per list counted
/// from the page's first item, plus <c>null_offset_adjustment</c> for a null list, and the page's item
/// count; pages' items lie back to back in the items column that follows, read as a column of its own.</item>
/// <item>a dictionary column (Arrow dictionary) keeps its <c>Dictionary</c> pages' indices as they are
/// (a null item stands for a null row) and concatenates the pages' dictionaries.</item>
/// </list>
/// Every count and offset is checked against its page and the items column before use.
/// </summary>
/// <param name="fileName">The data file, for error messages.</param>
/// <param name="pagesOf">The pages of a field's column (throws when the file has none for it).</param>
/// <param name="maxInitialValueBytes">A cap on value bytes allocated before a column is read.</param>
/// <param name="maxRows">
/// The most rows any column of the file may claim (items of lists included): claims past it are
/// corruption, refused before anything is allocated for them.
/// </param>
internal sealed class NestedColumnReader(string fileName, Func<LanceField, IReadOnlyList<Page20>> pagesOf, long maxInitialValueBytes, long maxRows)
{
    /// <summary>Reads <paramref name="field"/>'s column (and its children's) as <paramref name="rows"/> rows.</summary>
    /// <exception cref="LanceFormatException">A column is corrupt or uses an encoding not supported.</exception>
    public IArrowArray Read(LanceField field, long rows)
    {
        var type = LanceSchema.ToArrowType(field);
        try
        {
            return type switch
            {
                DictionaryType dictionary => ReadDictionary(field, dictionary, rows),
                StructType when !field.IsLeaf => ReadStruct(field, type, rows),
                ListType or LargeListType => ReadList(field, type, rows),
                _ => ReadLeaf(field, type, rows),
            };
        }
        catch (LanceFormatException e) when (!e.Message.StartsWith($"'{fileName}'", StringComparison.Ordinal))
        {
            throw new LanceFormatException($"'{fileName}': {e.Message}", e);
        }
    }

    private IArrowArray ReadLeaf(LanceField field, IArrowType type, long rows)
    {
        var pages = CheckedPages(field, rows);
        var builder = new ColumnBuilder(type, rows, maxInitialValueBytes);
        foreach (var page in pages)
        {
            ArrayEncodingDecoder.Decode(page.Encoding, page.Buffers, page.Length, builder, field.Name);
        }

        return builder.Length == rows
            ? builder.Build()
            : throw Corrupt($"column '{field.Name}' holds {builder.Length} rows where {rows} are expected.");
    }

    private IArrowArray ReadStruct(LanceField field, IArrowType type, long rows)
    {
        foreach (var page in CheckedPages(field, rows))
        {
            var encoding = ArrayEncodingDecoder.Read(page.Encoding, $"Column '{field.Name}'");
            if (encoding.ArrayEncodingCase != Enc20.ArrayEncoding.ArrayEncodingOneofCase.Struct)
            {
                throw new LanceFormatException(
                    $"Column '{field.Name}' is a struct but its header column has a page encoded as {encoding.ArrayEncodingCase}, not SimpleStruct (a packed struct is not supported).");
            }
        }

        int length = (int)rows;
        var children = field.Children.Select(child => Read(child, rows).Data).ToList();
        return ArrowArrayFactory.BuildArray(new ArrayData(type, length, 0, 0, [ArrowBuffer.Empty], children));
    }

    private IArrowArray ReadList(LanceField field, IArrowType type, long rows)
    {
        if (field.Children.Count != 1)
        {
            throw Corrupt($"list field '{field.Name}' has {field.Children.Count} child fields instead of one.");
        }

        var pages = CheckedPages(field, rows);
        int length = (int)rows;
        var ends = new long[length + 1];
        var validity = new byte[(length + 7) / 8];
        int nulls = 0;
        int row = 0;
        long pageStart = 0; // items before this page
        foreach (var page in pages)
        {
            string what = $"Column '{field.Name}'";
            var encoding = ArrayEncodingDecoder.Read(page.Encoding, what);
            if (encoding.ArrayEncodingCase != Enc20.ArrayEncoding.ArrayEncodingOneofCase.List)
            {
                throw new LanceFormatException($"{what} is a list but its offsets column has a page encoded as {encoding.ArrayEncodingCase}.");
            }

            var list = encoding.List;
            ulong adjustment = list.NullOffsetAdjustment;
            if (adjustment == 0 || list.NumItems >= adjustment)
            {
                throw new LanceFormatException($"{what} is corrupt: a list page of {list.NumItems} items has the null offset adjustment {adjustment}.");
            }

            if (list.NumItems > (ulong)(int.MaxValue - pageStart))
            {
                throw new LanceFormatException($"{what} is corrupt or too large: its lists hold more than {int.MaxValue} items.");
            }

            int count = (int)page.Length;
            var (offsets, offsetValidity) = ArrayEncodingDecoder.DecodeArray(
                list.Offsets ?? throw new LanceFormatException($"{what} is corrupt: a List page without its offsets encoding."), page.Buffers, count, what);
            if (offsets.IsVariable || offsets.BitsPerValue != 64 || offsetValidity is not null || offsets.DataLength < count * 8L)
            {
                throw new LanceFormatException($"{what} is corrupt: list offsets must be {count} non-null u64 values.");
            }

            var raw = MemoryMarshal.Cast<byte, ulong>(offsets.Span[..(count * 8)]);
            ulong previous = 0;
            for (int i = 0; i < count; i++, row++)
            {
                ulong value = raw[i];
                bool valid = value < adjustment;
                ulong end = valid ? value : value - adjustment;
                if (end < previous || end > list.NumItems)
                {
                    throw new LanceFormatException(
                        $"{what} is corrupt: list {row} ends at item {end}, outside [{previous}, {list.NumItems}] of its page.");
                }

                previous = end;
                ends[row + 1] = pageStart + (long)end;
                if (valid)
                {
                    validity[row >> 3] |= (byte)(1 << (row & 7));
                }
                else
                {
                    nulls++;
                }
            }

            // A page's items are exactly those up to its last list's end.
            if (previous != list.NumItems)
            {
                throw new LanceFormatException($"{what} is corrupt: a list page says it holds {list.NumItems} items but its lists end at item {previous}.");
            }

            pageStart += (long)list.NumItems;
        }

        long items = pageStart;
        if (ends[length] != items)
        {
            throw Corrupt($"the lists of column '{field.Name}' end at item {ends[length]} but their pages hold {items} items.");
        }

        var child = Read(field.Children[0], items).Data;
        ArrowBuffer offsetsBuffer;
        if (type is LargeListType)
        {
            offsetsBuffer = new ArrowBuffer(MemoryMarshal.AsBytes(ends.AsSpan()).ToArray());
        }
        else
        {
            var narrow = new int[length + 1];
            for (int i = 0; i <= length; i++)
            {
                narrow[i] = (int)ends[i];
            }

            offsetsBuffer = new ArrowBuffer(MemoryMarshal.AsBytes(narrow.AsSpan()).ToArray());
        }

        var validityBuffer = nulls == 0 ? ArrowBuffer.Empty : new ArrowBuffer(validity);
        return ArrowArrayFactory.BuildArray(new ArrayData(type, length, nulls, 0, [validityBuffer, offsetsBuffer], [child]));
    }

    private IArrowArray ReadDictionary(LanceField field, DictionaryType type, long rows)
    {
        string what = $"Column '{field.Name}'";
        var pages = CheckedPages(field, rows);
        var indices = new ColumnBuilder(Int32Type.Default, rows, maxInitialValueBytes);
        var dictionary = new ColumnBuilder(type.ValueType, 0, maxInitialValueBytes);
        Span<byte> value = stackalloc byte[4];
        foreach (var page in pages)
        {
            var encoding = ArrayEncodingDecoder.Read(page.Encoding, what);
            int count = (int)page.Length;
            if (encoding.ArrayEncodingCase == Enc20.ArrayEncoding.ArrayEncodingOneofCase.Nullable
                && encoding.Nullable.NullabilityCase == Enc20.Nullable.NullabilityOneofCase.AllNulls)
            {
                indices.AppendNulls(count);
                continue;
            }

            if (encoding.ArrayEncodingCase != Enc20.ArrayEncoding.ArrayEncodingOneofCase.Dictionary)
            {
                // Plain values in a dictionary column: each row becomes a dictionary entry of its own.
                var (plain, plainValidity) = ArrayEncodingDecoder.DecodeArray(encoding, page.Buffers, count, what);
                int start = dictionary.Length;
                CompressedMiniBlockDecoder.Append(plain, dictionary, what);
                for (int i = 0; i < count; i++)
                {
                    if (plainValidity is not null && (plainValidity[i >> 3] & (1 << (i & 7))) == 0)
                    {
                        indices.AppendNulls(1);
                        continue;
                    }

                    BinaryPrimitives.WriteInt32LittleEndian(value, start + i);
                    indices.AppendFixed(value, 1);
                }

                continue;
            }

            var dict = encoding.Dictionary;
            long bufferBytes = page.Buffers.Sum(b => (long)b.Length);
            if (dict.NumDictionaryItems > Math.Max(1, bufferBytes * 8) || dict.NumDictionaryItems > int.MaxValue - dictionary.Length)
            {
                throw new LanceFormatException($"{what} is corrupt: a dictionary of {dict.NumDictionaryItems} items in a page of {bufferBytes} bytes.");
            }

            int items = (int)dict.NumDictionaryItems;
            var (keys, keyValidity) = ArrayEncodingDecoder.DecodeArray(
                dict.Indices ?? throw new LanceFormatException($"{what} is corrupt: a Dictionary page without its indices encoding."), page.Buffers, count, what);
            var (entries, entryValidity) = ArrayEncodingDecoder.DecodeArray(
                dict.Items ?? throw new LanceFormatException($"{what} is corrupt: a Dictionary page without its items encoding."), page.Buffers, items, what);
            if (keys.IsVariable || keys.BitsPerValue is not (8 or 16 or 32 or 64) || keys.DataLength < (long)count * (keys.BitsPerValue / 8))
            {
                throw new LanceFormatException($"{what} is corrupt: dictionary indices must be {count} integers of 8 to 64 bits.");
            }

            int first = dictionary.Length;
            int[]? position = null;
            if (entryValidity is not null && entries.IsVariable)
            {
                // The null item (where a 2.0 writer points null rows) stays out of the dictionary: a
                // reader mapping every entry (an enum's names) must not meet a value no row has.
                position = new int[items];
                for (int k = 0; k < items; k++)
                {
                    bool entryValid = (entryValidity[k >> 3] & (1 << (k & 7))) != 0;
                    position[k] = entryValid ? dictionary.Length - first : -1;
                    if (entryValid)
                    {
                        dictionary.AppendVariable(entries.Value(k));
                    }
                }
            }
            else
            {
                CompressedMiniBlockDecoder.Append(entries, dictionary, what);
            }

            for (int i = 0; i < count; i++)
            {
                long index = keys.IndexAt(i);
                bool keyValid = keyValidity is null || (keyValidity[i >> 3] & (1 << (i & 7))) != 0;
                if (keyValid && (index < 0 || index >= items))
                {
                    throw new LanceFormatException($"{what} is corrupt: row {indices.Length} has dictionary index {index} of a {items}-item dictionary.");
                }

                if (!keyValid || (entryValidity is not null && (entryValidity[index >> 3] & (1 << (int)(index & 7))) == 0))
                {
                    indices.AppendNulls(1);
                    continue;
                }

                BinaryPrimitives.WriteInt32LittleEndian(value, first + (position is null ? (int)index : position[index]));
                indices.AppendFixed(value, 1);
            }
        }

        if (indices.Length != rows)
        {
            throw Corrupt($"column '{field.Name}' holds {indices.Length} rows where {rows} are expected.");
        }

        return DictionaryArrays.Create(type, (Int32Array)indices.Build(), dictionary.Build(), field.Name);
    }

    // The field's pages, after checking that they hold exactly `rows` rows between them.
    private IReadOnlyList<Page20> CheckedPages(LanceField field, long rows)
    {
        if (rows > Math.Min(int.MaxValue, maxRows))
        {
            throw Corrupt($"column '{field.Name}' would hold {rows} rows, more than this file can.");
        }

        var pages = pagesOf(field);
        long total = 0;
        foreach (var page in pages)
        {
            total += page.Length;
            if (page.Length < 0 || total > rows)
            {
                throw Corrupt($"the pages of column '{field.Name}' hold more than the {rows} rows expected.");
            }
        }

        return total == rows
            ? pages
            : throw Corrupt($"the pages of column '{field.Name}' hold {total} rows where {rows} are expected.");
    }

    private LanceFormatException Corrupt(string problem) => new($"'{fileName}' is corrupt: {problem}");
}
