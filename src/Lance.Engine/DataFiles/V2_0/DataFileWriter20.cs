using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;
using Apache.Arrow;
using Apache.Arrow.Types;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Lance.Engine.Arrow;
using Lance.Engine.DataFiles.Encodings;
using Lance.Engine.DataFiles.V21;
using Lance.Engine.Format;
using Enc20 = Lance.Engine.Format.Protos.Encodings20;
using File2 = Lance.Engine.Format.Protos.File2;
using PbFile = Lance.Engine.Format.Protos.File;

namespace Lance.Engine.DataFiles.V20;

/// <summary>
/// Writes one Lance data file of file format 2.0 (footer version 0.3), for datasets LanceDB created
/// with storage version 2.0: every file of a dataset must share its format. The file layout is that
/// of 2.1; the pages are 2.0 <c>ArrayEncoding</c>s, as LanceDB's 2.0 writer makes them:
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item>fixed-width values (numbers, bool as 1-bit <c>Flat</c>, vectors as <c>FixedSizeList</c>) in a
/// <c>Nullable</c> wrapper: no nulls, all nulls, or a validity bitmap (buffer 0) beside the values (buffer 1);</item>
/// <item>strings and binary as <c>Binary</c>: u64 end offsets (buffer 0; a null's end plus
/// <c>null_adjustment</c>, which is the last end plus one) and the bytes (buffer 1);</item>
/// <item>Arrow dictionary columns as <c>Dictionary</c> pages: int32 indices and a <c>Binary</c> dictionary
/// of the page's distinct values, a null row pointing to a null item;</item>
/// <item>every field has a column, in pre-order: a struct's is a header of one <c>SimpleStruct</c> page
/// (2.0 keeps no struct validity), a list's holds <c>List</c> offset pages and its items follow as a column.</item>
/// </list>
/// </remarks>
internal static class DataFileWriter20
{
    /// <summary>The footer version of format 2.0 files.</summary>
    public const ushort MajorVersion = 0;

    /// <summary>The footer version of format 2.0 files.</summary>
    public const ushort MinorVersion = 3;

    private const int BufferAlignment = 64;

    /// <summary>Writes <paramref name="batches"/> (all of <paramref name="schema"/>'s columns) as one 2.0 data file.</summary>
    /// <exception cref="LanceSchemaException">A batch lacks a column, has another type, or has a null where none is allowed.</exception>
    /// <exception cref="OperationCanceledException">Cancelled (checked before each column and each page); the stream holds part of a file.</exception>
    public static DataFileInfo Write(
        Stream output, LanceSchema schema, IReadOnlyList<RecordBatch> batches, DataFileWriterOptions? options = null, CancellationToken cancellationToken = default) =>
        DataFileWriters.WriteAll(Create(output, schema, options, cancellationToken), batches);

    /// <summary>Starts a 2.0 data file on <paramref name="output"/> whose rows are added batch by batch, each page written once full.</summary>
    /// <exception cref="LanceSchemaException">A field has a type this writer does not write.</exception>
    public static IDataFileWriter Create(Stream output, LanceSchema schema, DataFileWriterOptions? options = null, CancellationToken cancellationToken = default) =>
        new File20Writer(output, schema, options ?? DataFileWriterOptions.Default, cancellationToken);

    /// <summary>Encodes and writes 2.0 pages of one file (the streaming <see cref="File20Writer"/> decides which rows go in each).</summary>
    internal sealed class PageWriter(FileSink sink, GatheredPage page, DataFileWriterOptions options)
    {
        /// <summary>When set, pages are written to this spool (to be moved into the file later) rather than to the file.</summary>
        public PageSpool? Spool { get; set; }

        /// <summary>An all-null page of <paramref name="count"/> rows (Arrow's Null type), with no buffers, as LanceDB writes it.</summary>
        public File2.ColumnMetadata.Types.Page NullPage(long firstRow, int count) =>
            Page(new Enc20.ArrayEncoding { Nullable = new Enc20.Nullable { AllNulls = new Enc20.Nullable.Types.AllNull() } }, [], firstRow, count);

        /// <summary>A struct's header: one page of every row, no buffers (LanceDB reads exactly one).</summary>
        public File2.ColumnMetadata.Types.Page StructPage(long rows) => Page(new Enc20.ArrayEncoding { Struct = new Enc20.SimpleStruct() }, [], 0, rows);

        /// <summary>
        /// Writes offsets pages of at most <c>MaxPageRows</c> lists, each counting ends from its own
        /// first item (only full pages unless <paramref name="final"/>); returns the lists written.
        /// </summary>
        /// <param name="ends">Each pending list's end, counted from the column's first item.</param>
        /// <param name="nulls">Whether each pending list is null.</param>
        /// <param name="pageBase">The end of the last list already written; moved past the pages written.</param>
        /// <param name="column">The column the pages go to.</param>
        /// <param name="firstRow">The file row of the first pending list.</param>
        /// <param name="final">Whether the last, short page is written too.</param>
        public int WriteListPages(List<ulong> ends, List<bool> nulls, ref ulong pageBase, File2.ColumnMetadata column, long firstRow, bool final)
        {
            int total = ends.Count;
            int start = 0;
            while (total - start >= options.MaxPageRows || (final && total > start))
            {
                int count = Math.Min(options.MaxPageRows, total - start);
                ulong numItems = ends[start + count - 1] - pageBase;
                ulong adjustment = numItems + 1;
                var values = new byte[count * 8];
                for (int i = 0; i < count; i++)
                {
                    ulong end = ends[start + i] - pageBase;
                    BinaryPrimitives.WriteUInt64LittleEndian(values.AsSpan(i * 8), nulls[start + i] ? end + adjustment : end);
                }

                var encoding = new Enc20.ArrayEncoding
                {
                    List = new Enc20.List
                    {
                        Offsets = NoNulls(Flat(64, 0)),
                        NullOffsetAdjustment = adjustment,
                        NumItems = numItems,
                    },
                };
                column.Pages.Add(Page(encoding, [values], firstRow + start, count));
                pageBase += numItems;
                start += count;
            }

            return start;
        }

        /// <summary>
        /// Writes the pages of the pending values <paramref name="arrays"/> (all but the last, which
        /// may still grow, unless <paramref name="final"/>); returns the rows written.
        /// </summary>
        public long WriteLeafPages(LanceField field, IArrowType type, List<ArrayData> arrays, File2.ColumnMetadata column, bool topLevel, long firstRow, bool final)
        {
            var source = new ColumnPageSource(field, type, arrays, checkNulls: topLevel);
            var pages = source.PlanPages(options.MaxPageBytes, options.MaxPageRows);
            long done = 0;
            foreach (var (start, count) in pages.Take(final ? pages.Count : pages.Count - 1))
            {
                done = start + count;
                source.Gather(start, count, page);
                if (source.IsVariable)
                {
                    var (indices, adjustment) = EndOffsets(page);
                    var binary = new Enc20.ArrayEncoding
                    {
                        Binary = new Enc20.Binary { Indices = NoNulls(Flat(64, 0)), Bytes = Flat(8, 1), NullAdjustment = adjustment },
                    };
                    column.Pages.Add(Page(binary, [indices, page.ValuesMemory.ToArray()], firstRow + start, count));
                    continue;
                }

                var values = type is FixedSizeListType fsl
                    ? new Enc20.ArrayEncoding
                    {
                        FixedSizeList = new Enc20.FixedSizeList { Dimension = (uint)fsl.ListSize, Items = Flat(source.BitsPerValue / fsl.ListSize, 0) },
                    }
                    : Flat(source.BitsPerValue, 0);
                if (page.HasNullItems && page.NullCount < count)
                {
                    // Vectors with null items, as LanceDB writes them: nullable items inside the list,
                    // their validity in the buffer after the rows' (when rows are null too).
                    uint first = page.HasNulls ? 1u : 0u;
                    values.FixedSizeList.Items = new Enc20.ArrayEncoding
                    {
                        Nullable = new Enc20.Nullable
                        {
                            SomeNulls = new Enc20.Nullable.Types.SomeNull { Validity = Flat(1, first), Values = Flat(source.BitsPerValue / ((FixedSizeListType)type).ListSize, first + 1) },
                        },
                    };
                    byte[] itemValidity = page.ItemValidity.ToArray();
                    column.Pages.Add(page.HasNulls
                        ? Page(
                            new Enc20.ArrayEncoding { Nullable = new Enc20.Nullable { SomeNulls = new Enc20.Nullable.Types.SomeNull { Validity = Flat(1, 0), Values = values } } },
                            [Validity(page), itemValidity, page.ValuesMemory.ToArray()],
                            firstRow + start,
                            count)
                        : Page(NoNulls(values), [itemValidity, page.ValuesMemory.ToArray()], firstRow + start, count));
                    continue;
                }

                if (!page.HasNulls)
                {
                    column.Pages.Add(Page(NoNulls(values), [page.ValuesMemory.ToArray()], firstRow + start, count));
                }
                else if (page.NullCount == count)
                {
                    var allNull = new Enc20.ArrayEncoding { Nullable = new Enc20.Nullable { AllNulls = new Enc20.Nullable.Types.AllNull() } };
                    column.Pages.Add(Page(allNull, [], firstRow + start, count));
                }
                else
                {
                    SetBuffer(values, 1);
                    var someNull = new Enc20.ArrayEncoding
                    {
                        Nullable = new Enc20.Nullable { SomeNulls = new Enc20.Nullable.Types.SomeNull { Validity = Flat(1, 0), Values = values } },
                    };
                    column.Pages.Add(Page(someNull, [Validity(page), page.ValuesMemory.ToArray()], firstRow + start, count));
                }
            }

            return done;
        }

        // Each page gets its own dictionary of the distinct values it holds, as LanceDB's 2.0 writer
        // does, with indices as wide as the column's keys (LanceDB hands them to Arrow as such keys).
        // A null row points at an extra null item after the values.
        /// <summary>Writes dictionary pages of <c>MaxPageRows</c> rows of the pending <paramref name="arrays"/> (the short last one only when <paramref name="final"/>); returns the rows written.</summary>
        public long WriteDictionaryPages(LanceField field, DictionaryType type, List<ArrayData> arrays, File2.ColumnMetadata column, long firstRow, bool final)
        {
            int keyBits = ((FixedWidthType)type.IndexType).BitWidth;
            int keyBytes = keyBits / 8;
            bool large = LanceLogicalTypes.HasLargeOffsets(type.ValueType);
            long total = arrays.Sum(a => (long)a.Length);
            int arrayIndex = 0;
            int local = 0;
            long start = 0;
            for (; total - start >= options.MaxPageRows || (final && total > start); start += options.MaxPageRows)
            {
                int count = (int)Math.Min(options.MaxPageRows, total - start);
                var items = new Dictionary<string, int>(StringComparer.Ordinal);
                var ordered = new List<byte[]>();
                var indices = new int[count];
                var isNull = new bool[count];
                for (int i = 0; i < count; i++)
                {
                    while (local >= arrays[arrayIndex].Length)
                    {
                        arrayIndex++;
                        local = 0;
                    }

                    var array = arrays[arrayIndex];
                    if (DictionaryArrays.IsNull(array, local))
                    {
                        isNull[i] = true;
                    }
                    else
                    {
                        var value = DictionaryArrays.ValueBytes(array.Dictionary!, (int)DictionaryArrays.KeyAt(array, local));
                        string content = DictionaryArrays.ContentKey(value);
                        if (!items.TryGetValue(content, out int index))
                        {
                            index = ordered.Count;
                            items.Add(content, index);
                            ordered.Add(value.ToArray());
                        }

                        indices[i] = index;
                    }

                    local++;
                }

                bool anyNull = isNull.Any(n => n);
                int nullItem = ordered.Count;
                if (nullItem - (anyNull ? 0 : 1) > DictionaryArrays.MaxKey(type.IndexType))
                {
                    throw new LanceSchemaException(
                        $"Column '{field.Name}' holds more distinct values (and nulls) in a page than its {type.IndexType.Name} dictionary keys can index.");
                }

                var indexBytes = new byte[count * keyBytes];
                for (int i = 0; i < count; i++)
                {
                    DictionaryArrays.WriteKey(indexBytes.AsSpan(i * keyBytes), keyBytes, isNull[i] ? nullItem : indices[i]);
                }

                int itemCount = ordered.Count + (anyNull ? 1 : 0);
                var ends = new byte[itemCount * 8];
                var bytes = new MemoryStream();
                ulong end = 0;
                for (int k = 0; k < ordered.Count; k++)
                {
                    bytes.Write(ordered[k]);
                    end += (ulong)ordered[k].Length;
                    BinaryPrimitives.WriteUInt64LittleEndian(ends.AsSpan(k * 8), end);
                }

                ulong adjustment = end + 1;
                if (anyNull)
                {
                    BinaryPrimitives.WriteUInt64LittleEndian(ends.AsSpan(nullItem * 8), end + adjustment);
                }

                var encoding = new Enc20.ArrayEncoding
                {
                    Dictionary = new Enc20.Dictionary
                    {
                        Indices = NoNulls(Flat(keyBits, 0)),
                        Items = new Enc20.ArrayEncoding
                        {
                            Binary = new Enc20.Binary { Indices = NoNulls(Flat(64, 1)), Bytes = Flat(8, 2), NullAdjustment = adjustment },
                        },
                        NumDictionaryItems = (uint)itemCount,
                    },
                };
                column.Pages.Add(Page(encoding, [indexBytes, ends, bytes.ToArray()], firstRow + start, count));
            }

            return Math.Min(start, total);
        }

        private File2.ColumnMetadata.Types.Page Page(Enc20.ArrayEncoding encoding, byte[][] buffers, long firstRow, long rows)
        {
            var metadata = new File2.ColumnMetadata.Types.Page
            {
                Length = (ulong)rows,
                Encoding = new File2.Encoding
                {
                    Direct = new File2.DirectEncoding
                    {
                        Encoding = new Any { TypeUrl = ArrayEncodingDecoder.ArrayEncodingTypeUrl, Value = encoding.ToByteString() }.ToByteString(),
                    },
                },
                Priority = (ulong)firstRow,
            };
            var target = Spool?.Sink ?? sink;
            foreach (var buffer in buffers)
            {
                metadata.BufferOffsets.Add((ulong)target.WriteAligned(buffer, BufferAlignment));
                metadata.BufferSizes.Add((ulong)buffer.Length);
            }

            return Spool is null ? metadata : Spool.Track(metadata);
        }

        /// <summary>The offset of list or string <paramref name="index"/> of <paramref name="data"/>.</summary>
        public static long OffsetAt(ArrayData data, int index, bool large) => large
            ? MemoryMarshal.Cast<byte, long>(data.Buffers[1].Span)[data.Offset + index]
            : MemoryMarshal.Cast<byte, int>(data.Buffers[1].Span)[data.Offset + index];
    }

    private static (byte[] Indices, ulong Adjustment) EndOffsets(GatheredPage page)
    {
        var offsets = page.Offsets;
        var definitions = page.Definitions;
        ulong adjustment = (ulong)offsets[page.Count] + 1;
        var indices = new byte[page.Count * 8];
        for (int i = 0; i < page.Count; i++)
        {
            ulong end = (ulong)offsets[i + 1];
            BinaryPrimitives.WriteUInt64LittleEndian(indices.AsSpan(i * 8), page.HasNulls && definitions[i] != 0 ? end + adjustment : end);
        }

        return (indices, adjustment);
    }

    private static byte[] Validity(GatheredPage page)
    {
        var bits = new byte[(page.Count + 7) / 8];
        var definitions = page.Definitions;
        for (int i = 0; i < page.Count; i++)
        {
            if (definitions[i] == 0)
            {
                bits[i >> 3] |= (byte)(1 << (i & 7));
            }
        }

        return bits;
    }

    private static Enc20.ArrayEncoding Flat(int bits, uint buffer) => new()
    {
        Flat = new Enc20.Flat { BitsPerValue = (ulong)bits, Buffer = new Enc20.Buffer { BufferIndex = buffer, BufferType = Enc20.Buffer.Types.BufferType.Page } },
    };

    private static Enc20.ArrayEncoding NoNulls(Enc20.ArrayEncoding values) =>
        new() { Nullable = new Enc20.Nullable { NoNulls = new Enc20.Nullable.Types.NoNull { Values = values } } };

    // Points the values' (innermost) flat buffer at page buffer `index`.
    private static void SetBuffer(Enc20.ArrayEncoding values, uint index)
    {
        if (values.ArrayEncodingCase == Enc20.ArrayEncoding.ArrayEncodingOneofCase.FixedSizeList)
        {
            SetBuffer(values.FixedSizeList.Items, index);
        }
        else
        {
            values.Flat.Buffer.BufferIndex = index;
        }
    }
}
