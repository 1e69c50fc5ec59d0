using System.Buffers.Binary;
using Apache.Arrow;
using Apache.Arrow.Types;
using Google.Protobuf;
using Lance.Engine.Arrow;
using Lance.Engine.Format;
using PbFile = Lance.Engine.Format.Protos.File;
using PbTable = Lance.Engine.Format.Protos.Table;

namespace Lance.Engine.DataFiles.Legacy;

/// <summary>
/// Reads a data file of the legacy Lance format (file version 0.1/0.2, what LanceDB writes for
/// storage version <c>"legacy"</c>). The file ends with a 16-byte footer
/// <c>u64 metadata position | u16 major=0 | u16 minor | "LANC"</c>; the metadata (a length-prefixed
/// <c>lance.file.Metadata</c>) gives the running row offsets of the file's batches, the position of
/// the page table and that of the file's own copy of its schema (a length-prefixed table manifest,
/// with each dictionary field's values position). Each field has one page per batch (see
/// <see cref="LegacyPageTable"/>): plain or var-binary values (<see cref="LegacyValues"/>), the
/// keys of a dictionary, or the offsets of a list, whose child's page of the same batch holds the
/// items. Structs have no page of their own, and nothing but empty strings can be null: the format
/// keeps no validity, so nulls read as the zeros Lance wrote under them, as Lance itself reads them.
/// </summary>
internal sealed class LegacyFileReader
{
    /// <summary>The length of a legacy file's footer.</summary>
    public const int FooterLength = 16;

    private readonly ILegacyFileBytes _file;
    private readonly LegacyPageTable _pages;
    private readonly int[] _batchRows;
    private readonly Dictionary<int, PbFile.Field> _stored = [];

    /// <summary>Reads the footer, metadata, schema and page table of a legacy file.</summary>
    /// <exception cref="LanceFormatException">The file is corrupt or truncated.</exception>
    public LegacyFileReader(ILegacyFileBytes file)
    {
        ArgumentNullException.ThrowIfNull(file);
        _file = file;
        long length = file.Length;
        if (length < FooterLength + 4)
        {
            throw new LanceFormatException($"'{file.Name}' is too short ({length} bytes) to be a legacy Lance data file.");
        }

        var footer = file.Read(length - FooterLength, FooterLength).Span;
        var metadata = ReadMessage(BinaryPrimitives.ReadUInt64LittleEndian(footer), "metadata", PbFile.Metadata.Parser);
        _batchRows = BatchRows(metadata.BatchOffsets);
        RowCount = _batchRows.Sum(r => (long)r);
        if (RowCount > length * 8)
        {
            throw new LanceFormatException($"'{file.Name}' is corrupt: it claims {RowCount} rows, more than a {length}-byte file can hold.");
        }

        if (metadata.ManifestPosition == 0)
        {
            throw new LanceFormatException(
                $"'{file.Name}' holds no copy of its schema (its metadata has no manifest position); Lance.Engine reads the self-describing legacy files Lance writes for datasets.");
        }

        var manifest = ReadMessage(metadata.ManifestPosition, "schema", PbTable.Manifest.Parser);
        if (manifest.Fields.Count == 0)
        {
            throw new LanceFormatException($"'{file.Name}' is corrupt: its schema has no fields.");
        }

        Schema = LanceSchema.FromProto(manifest.Fields, manifest.SchemaMetadata);
        foreach (var field in manifest.Fields)
        {
            _stored[field.Id] = field;
        }

        // The table spans the smallest id to the largest id with pages (a struct's children follow it).
        int min = manifest.Fields.Min(f => f.Id);
        int max = manifest.Fields.Where(f => f.LogicalType != "struct").Select(f => f.Id).DefaultIfEmpty(min).Max();
        _pages = LegacyPageTable.Read(file, Position(metadata.PageTablePosition, "page table"), min, max, _batchRows.Length);
    }

    /// <summary>The file's schema (its own copy, which names the dictionaries' positions in it).</summary>
    public LanceSchema Schema { get; }

    /// <summary>The number of rows in the file.</summary>
    public long RowCount { get; }

    /// <summary>The number of batches (pages per field).</summary>
    public int Batches => _batchRows.Length;

    /// <summary>
    /// Reads the column of <paramref name="field"/> (matched by field id; its type is the field's) over
    /// every batch. A nullable field the file lacks reads as nulls.
    /// </summary>
    /// <param name="field">The field, usually from the dataset's schema.</param>
    /// <param name="map">Whether a large fixed-width column in a one-batch file may be a mapped view of the file.</param>
    /// <exception cref="LanceFormatException">The file is corrupt, or the type cannot be read.</exception>
    public IArrowArray ReadColumn(LanceField field, bool map)
    {
        ArgumentNullException.ThrowIfNull(field);
        var type = LanceSchema.ToArrowType(field);
        if (!_stored.ContainsKey(field.Id))
        {
            return field.Nullable
                ? ArrowEmpty.CreateNulls(type, checked((int)RowCount))
                : throw new LanceFormatException($"'{_file.Name}' has no column for the non-nullable field '{field.Name}' (id {field.Id}).");
        }

        return ArrowArrayFactory.BuildArray(Read(field, type, _batchRows, map));
    }

    /// <summary>Names the legacy encoding of a field's pages, for diagnostics.</summary>
    public IReadOnlyList<string> DescribePages(LanceField field) =>
        _stored.TryGetValue(field.Id, out var stored) ? [$"Legacy({stored.Encoding}, {Batches} batches)"] : [];

    private ArrayData Read(LanceField field, IArrowType type, int[] rows, bool map)
    {
        long total = rows.Sum(r => (long)r);
        if (total > System.Array.MaxLength)
        {
            throw new LanceFormatException($"'{_file.Name}': column '{field.Name}' holds {total} values, more than one Arrow array can.");
        }

        int length = (int)total;
        switch (type)
        {
            case StructType structType:
                var children = new ArrayData[structType.Fields.Count];
                for (int i = 0; i < children.Length; i++)
                {
                    children[i] = ReadChild(field.Children[i], structType.Fields[i].DataType, rows, length);
                }

                return new ArrayData(type, length, 0, 0, [ArrowBuffer.Empty], children);
            case ListType or LargeListType:
                return ReadList(field, type, rows, length);
            case DictionaryType dictionary:
                return ReadDictionary(field, dictionary, rows, length);
            case NullType:
                // A struct field or list item of Arrow's Null type: a page-table entry of only a length, no bytes.
                return new NullArray(length).Data;
            case BooleanType:
                return new ArrayData(type, length, 0, 0, [ArrowBuffer.Empty, LegacyValues.ReadBits(_file, Pages(field, rows), field.Name)]);
            case FixedSizeListType list:
                var items = LegacyValues.ReadFixed(_file, Pages(field, rows), LanceLogicalTypes.FixedWidthBits(type) / 8, map, field.Name);
                return new ArrayData(type, length, 0, 0, [ArrowBuffer.Empty],
                    [new ArrayData(list.ValueDataType, checked(length * list.ListSize), 0, 0, [ArrowBuffer.Empty, items])]);
            case var _ when LanceLogicalTypes.IsVariableWidth(type):
                return LegacyValues.ReadBinary(_file, Pages(field, rows), type, field.Nullable, field.Name);
            case var _ when LanceLogicalTypes.FixedWidthBits(type) is int bits && bits > 0 && bits % 8 == 0:
                return new ArrayData(type, length, 0, 0, [ArrowBuffer.Empty, LegacyValues.ReadFixed(_file, Pages(field, rows), bits / 8, map, field.Name)]);
            default:
                throw new LanceFormatException($"'{_file.Name}': column '{field.Name}' is {type.Name}, which Lance.Engine cannot read from a legacy file.");
        }
    }

    private ArrayData ReadChild(LanceField child, IArrowType type, int[] rows, int length)
    {
        if (_stored.ContainsKey(child.Id))
        {
            return Read(child, type, rows, map: false);
        }

        return child.Nullable
            ? ArrowEmpty.CreateNulls(type, length).Data
            : throw new LanceFormatException($"'{_file.Name}' has no column for the non-nullable field '{child.Name}' (id {child.Id}).");
    }

    // A list's page holds rows + 1 offsets (i32, or i64 for large lists; the page table counts them
    // all) into the child's page of the same batch; the child's batches are read as one column and
    // the offsets shifted to match.
    private ArrayData ReadList(LanceField field, IArrowType type, int[] rows, int length)
    {
        bool large = type is LargeListType;
        int width = large ? 8 : 4;
        var pages = Pages(field, rows, extra: 1);
        var offsets = new byte[(length + 1L) * width];
        var childRows = new int[pages.Count];
        long childBase = 0;
        int row = 0;
        for (int b = 0; b < pages.Count; b++)
        {
            var page = pages[b];
            long bytes = (page.Rows + 1L) * width;
            LegacyValues.CheckRange(_file, page.Position, bytes, field.Name);
            var raw = _file.Read(page.Position, (int)bytes).Span;
            long first = ReadOffset(raw, 0, large);
            if (first < 0)
            {
                throw new LanceFormatException($"'{_file.Name}' is corrupt: a page of list column '{field.Name}' starts at item {first}.");
            }

            long previous = first;
            for (int i = 1; i <= page.Rows; i++)
            {
                long next = ReadOffset(raw, i, large);
                if (next < previous)
                {
                    throw new LanceFormatException(
                        $"'{_file.Name}' is corrupt: offset {i} of a page of list column '{field.Name}' ({next}) is below the one before it ({previous}).");
                }

                WriteOffset(offsets, row + i, childBase + (next - first), large);
                previous = next;
            }

            long items = previous - first;
            childBase += items;
            if (items < 0 || childBase > _file.Length * 8 || childBase > (large ? System.Array.MaxLength : int.MaxValue))
            {
                throw new LanceFormatException(
                    $"'{_file.Name}' is corrupt: the pages of list column '{field.Name}' claim {childBase} items, more than the {_file.Length}-byte file holds.");
            }

            childRows[b] = (int)items;
            row += page.Rows;
        }

        var child = field.Children[0];
        if (!_stored.ContainsKey(child.Id))
        {
            throw new LanceFormatException($"'{_file.Name}' has no column for the items of list '{field.Name}' (field id {child.Id}).");
        }

        var childType = type is ListType list ? list.ValueDataType : ((LargeListType)type).ValueDataType;
        var items0 = Read(child, childType, childRows, map: false);
        return new ArrayData(type, length, 0, 0, [ArrowBuffer.Empty, new ArrowBuffer(offsets)], [items0]);
    }

    // A dictionary's page holds its keys, plain; the values lie once in the file where its schema's
    // field says (var-binary for strings, where empty values read as null, unless the column takes no null).
    private ArrayData ReadDictionary(LanceField field, DictionaryType type, int[] rows, int length)
    {
        int keyBytes = ((FixedWidthType)type.IndexType).BitWidth / 8;
        var keys = LegacyValues.ReadFixed(_file, Pages(field, rows), keyBytes, map: false, field.Name);
        if (_stored[field.Id].Dictionary is not { } where)
        {
            throw new LanceFormatException($"'{_file.Name}': dictionary column '{field.Name}' does not say where its values lie.");
        }

        if (where.Offset < 0 || where.Offset > _file.Length || where.Length < 0 || where.Length > Math.Min(_file.Length, int.MaxValue - 1))
        {
            throw new LanceFormatException(
                $"'{_file.Name}' is corrupt: the {where.Length} dictionary values of column '{field.Name}' are said to lie at byte {where.Offset} of a {_file.Length}-byte file.");
        }

        var page = new[] { new LegacyValues.Page(where.Offset, (int)where.Length) };
        var values = LanceLogicalTypes.IsVariableWidth(type.ValueType)
            ? LegacyValues.ReadBinary(_file, page, type.ValueType, nullable: field.Nullable, field.Name)
            : new ArrayData(type.ValueType, (int)where.Length, 0, 0,
                [ArrowBuffer.Empty, LegacyValues.ReadFixed(_file, page, Math.Max(1, LanceLogicalTypes.FixedWidthBits(type.ValueType) / 8), map: false, field.Name)]);

        var result = new ArrayData(type, length, 0, 0, [ArrowBuffer.Empty, keys], [], values);
        for (int i = 0; i < length; i++)
        {
            long key = DictionaryArrays.KeyAt(result, i);
            if (key < 0 || key >= where.Length)
            {
                throw new LanceFormatException(
                    $"'{_file.Name}' is corrupt: row {i} of dictionary column '{field.Name}' has key {key}, outside its {where.Length} values.");
            }
        }

        return result;
    }

    // The pages of a field, one per batch, each holding exactly the rows the batch (or, for a list's
    // items, the list's offsets) says, plus `extra` entries the page table counts too.
    private List<LegacyValues.Page> Pages(LanceField field, int[] rows, int extra = 0)
    {
        var pages = new List<LegacyValues.Page>(rows.Length);
        for (int b = 0; b < rows.Length; b++)
        {
            var (position, count) = _pages.Page(field.Id, b, field.Name, _file.Length);
            if (count != rows[b] + (long)extra)
            {
                throw new LanceFormatException(
                    $"'{_file.Name}' is corrupt: the page of column '{field.Name}' in batch {b} holds {count} entries where {rows[b] + (long)extra} are expected.");
            }

            pages.Add(new LegacyValues.Page(position, rows[b]));
        }

        return pages;
    }

    private int[] BatchRows(IList<int> offsets)
    {
        if (offsets.Count == 0)
        {
            return [];
        }

        if (offsets[0] != 0)
        {
            throw new LanceFormatException($"'{_file.Name}' is corrupt: its batch offsets start at {offsets[0]}, not 0.");
        }

        var rows = new int[offsets.Count - 1];
        for (int i = 0; i < rows.Length; i++)
        {
            rows[i] = offsets[i + 1] - offsets[i];
            if (offsets[i + 1] < offsets[i])
            {
                throw new LanceFormatException($"'{_file.Name}' is corrupt: batch {i} ends at row {offsets[i + 1]}, before it starts (row {offsets[i]}).");
            }
        }

        return rows;
    }

    // Lance writes each message as a u32 length and the protobuf bytes, before the footer.
    private T ReadMessage<T>(ulong position, string what, MessageParser<T> parser)
        where T : IMessage<T>
    {
        long end = _file.Length - FooterLength;
        if (position > (ulong)(end - 4))
        {
            throw new LanceFormatException($"'{_file.Name}' is corrupt or truncated: its {what} is said to start at byte {position} of a {_file.Length}-byte file.");
        }

        long start = (long)position;
        uint length = BinaryPrimitives.ReadUInt32LittleEndian(_file.Read(start, 4).Span);
        if (length > end - start - 4)
        {
            throw new LanceFormatException($"'{_file.Name}' is corrupt or truncated: its {what} at byte {start} claims {length} bytes, past the footer.");
        }

        try
        {
            return parser.ParseFrom(_file.Read(start + 4, (int)length).Span);
        }
        catch (InvalidProtocolBufferException e)
        {
            throw new LanceFormatException($"'{_file.Name}' is corrupt: its {what} cannot be parsed.", e);
        }
    }

    private long Position(ulong value, string what) => value <= (ulong)_file.Length
        ? (long)value
        : throw new LanceFormatException($"'{_file.Name}' is corrupt or truncated: its {what} is said to start at byte {value} of a {_file.Length}-byte file.");

    private static long ReadOffset(ReadOnlySpan<byte> raw, int index, bool large) => large
        ? BinaryPrimitives.ReadInt64LittleEndian(raw[(index * 8)..])
        : BinaryPrimitives.ReadInt32LittleEndian(raw[(index * 4)..]);

    private static void WriteOffset(byte[] offsets, int index, long value, bool large)
    {
        if (large)
        {
            BinaryPrimitives.WriteInt64LittleEndian(offsets.AsSpan(index * 8), value);
        }
        else
        {
            BinaryPrimitives.WriteInt32LittleEndian(offsets.AsSpan(index * 4), (int)value);
        }
    }
}
