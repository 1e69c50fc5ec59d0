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
/// Writes a data file of the legacy Lance format (what Lance's v1 file writer makes for a dataset of
/// storage version <c>"legacy"</c>; <see cref="LegacyFileReader"/> reads it back). The rows are cut
/// into batches of up to <see cref="RowsPerBatch"/> rows; for each batch, every field in schema
/// order (a list's offsets before its items, a struct's children in its place) gets one page:
/// plain values (bools bit-packed, fixed-size lists their items), var-binary values (the bytes, then
/// <c>rows + 1</c> absolute i64 positions, where the page starts), or a list's <c>rows + 1</c>
/// offsets from 0. Then the page table, the file's copy of its schema (a length-prefixed manifest
/// holding only the fields), the metadata (batch offsets, positions) and the footer
/// <c>u64 metadata position | u16 0 | u16 2 | "LANC"</c>.
/// </summary>
/// <remarks>
/// The format has no validity: a null is written as Lance writes what lies under it in the Arrow
/// buffers LanceDB builds: zeros for numbers, dates, decimals and every item of a vector, false
/// for a bool, an empty string or binary (which Lance, and <see cref="LegacyFileReader"/>, read as
/// null when the field is nullable), an empty list, key 0 for a dictionary. A struct has no page:
/// its children carry their own values. A dictionary column's keys index the values the dataset's
/// manifest holds (<see cref="Manifest.LegacyDictionaries"/>; LanceDB refuses an append whose
/// dictionary differs), and the file stores those values once more, var-binary, where its schema
/// copy says; a value the dataset's dictionary lacks is refused.
/// </remarks>
internal static class LegacyFileWriter
{
    /// <summary>The rows per batch (page), as LanceDB writes them.</summary>
    public const int RowsPerBatch = 1024;

    /// <summary>The file version the footer and the manifest's <c>DataFile</c> record (0.2, what LanceDB 0.31 writes).</summary>
    public const ushort MinorVersion = 2;

    /// <summary>
    /// Throws unless every field of <paramref name="schema"/> can be written to a legacy file
    /// (a dictionary field only when <paramref name="dictionaries"/> holds its values).
    /// </summary>
    /// <exception cref="LanceSchemaException">A field has a type this writer does not write; nothing was written.</exception>
    public static void EnsureWritable(LanceSchema schema, IDictionary<int, IReadOnlyList<byte[]>>? dictionaries, string datasetPath)
    {
        ArgumentNullException.ThrowIfNull(schema);
        foreach (var field in schema.Fields)
        {
            Check(field, LanceSchema.ToArrowType(field), dictionaries, datasetPath);
        }
    }

    /// <summary>
    /// Writes <paramref name="batches"/> (whose columns are the top-level fields of
    /// <paramref name="schema"/>, in order) as one legacy data file.
    /// </summary>
    /// <param name="stream">Where the file goes.</param>
    /// <param name="schema">The dataset's schema (or the fields of the file).</param>
    /// <param name="dictionaries">The dataset's dictionary values by field id (from its manifest); null when it has none.</param>
    /// <param name="batches">The rows.</param>
    /// <param name="name">The file's name, for errors.</param>
    /// <param name="cancellationToken">Checked before each field of each batch is written.</param>
    /// <exception cref="LanceSchemaException">A field cannot be written to a legacy file, or a dictionary value is not the dataset's.</exception>
    /// <exception cref="OperationCanceledException">Cancelled; the stream holds part of a file.</exception>
    public static DataFileInfo Write(
        Stream stream, LanceSchema schema, IDictionary<int, IReadOnlyList<byte[]>>? dictionaries, IReadOnlyList<RecordBatch> batches, string name,
        CancellationToken cancellationToken = default) =>
        DataFileWriters.WriteAll(Create(stream, schema, dictionaries, name, cancellationToken), batches);

    /// <summary>
    /// Starts a legacy data file on <paramref name="stream"/> whose rows are added batch by batch:
    /// every <see cref="RowsPerBatch"/> rows are written as soon as they have arrived.
    /// </summary>
    /// <exception cref="LanceSchemaException">A field cannot be written to a legacy file; nothing was written.</exception>
    public static IDataFileWriter Create(
        Stream stream, LanceSchema schema, IDictionary<int, IReadOnlyList<byte[]>>? dictionaries, string name, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(schema);
        EnsureWritable(schema, dictionaries, name);
        return new Writer(stream, schema, dictionaries, cancellationToken);
    }

    private static void Check(LanceField field, IArrowType type, IDictionary<int, IReadOnlyList<byte[]>>? dictionaries, string datasetPath)
    {
        switch (type)
        {
            case StructType:
                foreach (var child in field.Children)
                {
                    Check(child, LanceSchema.ToArrowType(child), dictionaries, datasetPath);
                }

                return;
            case ListType or LargeListType:
                Check(field.Children[0], LanceSchema.ToArrowType(field.Children[0]), dictionaries, datasetPath);
                return;
            case DictionaryType dictionary
                when LanceLogicalTypes.IsDictionaryKey(dictionary.IndexType)
                    && LanceLogicalTypes.IsVariableWidth(dictionary.ValueType)
                    && dictionaries is not null && dictionaries.ContainsKey(field.Id):
                return;
            case DictionaryType:
                throw new LanceSchemaException(
                    $"Column '{field.Name}' of '{datasetPath}' is a dictionary column ({field.LogicalType}) whose values the dataset's manifest does not hold, "
                    + $"which Lance.Engine does not write to a dataset of the legacy Lance format {DataFormatVersions.Legacy}; nothing was written.");
            case BooleanType or NullType:
                return;
            case FixedSizeListType list when LanceLogicalTypes.FixedWidthBits(list.ValueDataType) is int bits && bits > 0 && bits % 8 == 0:
                return;
            case var _ when LanceLogicalTypes.IsVariableWidth(type):
                return;
            case FixedSizeListType:
                break;
            case var _ when LanceLogicalTypes.FixedWidthBits(type) is int bits && bits > 0 && bits % 8 == 0:
                return;
        }

        throw new LanceSchemaException(
            $"Column '{field.Name}' of '{datasetPath}' is {field.LogicalType}, which Lance.Engine does not write to a dataset of the legacy Lance format {DataFormatVersions.Legacy}; nothing was written.");
    }

    // Writes the pages of one field for one batch and records them in the page table.
    private static void WriteField(Output output, LanceField field, IArrowType type, List<Segment> segments, int rows, DictionaryKeys keys, Action<int, long, long> record)
    {
        switch (type)
        {
            case DictionaryType dictionary:
                record(field.Id, output.Position, rows);
                WriteKeys(output, field, segments, ((FixedWidthType)dictionary.IndexType).BitWidth / 8, keys);
                return;
            case StructType:
                for (int i = 0; i < field.Children.Count; i++)
                {
                    var child = field.Children[i];
                    var childSegments = segments.Select(s => new Segment(s.Data.Children[i], s.Data.Offset + s.Start, s.Count)).ToList();
                    WriteField(output, child, LanceSchema.ToArrowType(child), childSegments, rows, keys, record);
                }

                return;
            case ListType or LargeListType:
                WriteList(output, field, type, segments, rows, keys, record);
                return;
            case BooleanType:
                record(field.Id, output.Position, rows);
                WriteBits(output, segments, rows);
                return;
            case NullType:
                // Arrow's Null type: a page-table entry of only a length, no bytes (as Lance writes it).
                record(field.Id, output.Position, rows);
                return;
            case FixedSizeListType list:
                record(field.Id, output.Position, rows);
                WriteVectors(output, segments, list.ListSize, LanceLogicalTypes.FixedWidthBits(list.ValueDataType) / 8);
                return;
            case var _ when LanceLogicalTypes.IsVariableWidth(type):
                record(field.Id, WriteBinary(output, segments, LanceLogicalTypes.HasLargeOffsets(type), rows), rows);
                return;
            default:
                record(field.Id, output.Position, rows);
                WriteFixed(output, segments, LanceLogicalTypes.FixedWidthBits(type) / 8);
                return;
        }
    }

    // Plain: the values back to back, zeros under nulls.
    private static void WriteFixed(Output output, List<Segment> segments, int width)
    {
        foreach (var s in segments)
        {
            var values = s.Data.Buffers[1].Span.Slice((s.Data.Offset + s.Start) * width, s.Count * width);
            if (s.Data.NullCount == 0)
            {
                output.Write(values);
                continue;
            }

            var copy = values.ToArray();
            for (int i = 0; i < s.Count; i++)
            {
                if (!IsValid(s.Data, s.Start + i))
                {
                    copy.AsSpan(i * width, width).Clear();
                }
            }

            output.Write(copy);
        }
    }

    // Plain fixed-size lists: every item, zeros for a null vector and for null items.
    private static void WriteVectors(Output output, List<Segment> segments, int dimension, int width)
    {
        foreach (var s in segments)
        {
            var items = s.Data.Children[0];
            int first = (s.Data.Offset + s.Start) * dimension;
            var values = items.Buffers[1].Span.Slice((items.Offset + first) * width, s.Count * dimension * width);
            if (s.Data.NullCount == 0 && items.NullCount == 0)
            {
                output.Write(values);
                continue;
            }

            var copy = values.ToArray();
            for (int i = 0; i < s.Count; i++)
            {
                bool valid = IsValid(s.Data, s.Start + i);
                for (int j = 0; j < dimension; j++)
                {
                    if (!valid || !IsValid(items, first + (i * dimension) + j))
                    {
                        copy.AsSpan(((i * dimension) + j) * width, width).Clear();
                    }
                }
            }

            output.Write(copy);
        }
    }

    // Plain bools: one bit per row, least significant bit first; false under nulls.
    private static void WriteBits(Output output, List<Segment> segments, int rows)
    {
        var bits = new byte[(rows + 7) / 8];
        int at = 0;
        foreach (var s in segments)
        {
            var values = s.Data.Buffers[1].Span;
            for (int i = 0; i < s.Count; i++, at++)
            {
                int bit = s.Data.Offset + s.Start + i;
                if ((values[bit >> 3] & (1 << (bit & 7))) != 0 && IsValid(s.Data, s.Start + i))
                {
                    bits[at >> 3] |= (byte)(1 << (at & 7));
                }
            }
        }

        output.Write(bits);
    }

    // Var-binary: the bytes, then rows + 1 absolute positions (the page starts at them); nulls are empty.
    private static long WriteBinary(Output output, List<Segment> segments, bool large, int rows)
    {
        var positions = new byte[(rows + 1L) * 8];
        int row = 0;
        BinaryPrimitives.WriteInt64LittleEndian(positions, output.Position);
        foreach (var s in segments)
        {
            var offsets = s.Data.Buffers[1].Span;
            var values = s.Data.Buffers[2].Span;
            if (s.Data.NullCount == 0)
            {
                // No nulls: the segment's bytes are one run.
                int firstIndex = s.Data.Offset + s.Start;
                long first = Offset(offsets, firstIndex, large);
                long origin = output.Position;
                for (int i = 1; i <= s.Count; i++)
                {
                    BinaryPrimitives.WriteInt64LittleEndian(positions.AsSpan((row + i) * 8), origin + (Offset(offsets, firstIndex + i, large) - first));
                }

                output.Write(values.Slice(checked((int)first), checked((int)(Offset(offsets, firstIndex + s.Count, large) - first))));
                row += s.Count;
                continue;
            }

            for (int i = 0; i < s.Count; i++, row++)
            {
                int index = s.Data.Offset + s.Start + i;
                if (IsValid(s.Data, s.Start + i))
                {
                    long start = Offset(offsets, index, large);
                    long end = Offset(offsets, index + 1, large);
                    output.Write(values.Slice(checked((int)start), checked((int)(end - start))));
                }

                BinaryPrimitives.WriteInt64LittleEndian(positions.AsSpan((row + 1) * 8), output.Position);
            }
        }

        long table = output.Position;
        output.Write(positions);
        return table;
    }

    // A list: rows + 1 offsets from 0 (null lists empty), then the items' pages of this batch.
    private static void WriteList(Output output, LanceField field, IArrowType type, List<Segment> segments, int rows, DictionaryKeys keys, Action<int, long, long> record)
    {
        bool large = type is LargeListType;
        int width = large ? 8 : 4;
        var offsets = new byte[(rows + 1L) * width];
        var items = new List<Segment>();
        long total = 0;
        int row = 0;
        foreach (var s in segments)
        {
            var source = s.Data.Buffers[1].Span;
            var child = s.Data.Children[0];
            for (int i = 0; i < s.Count; i++, row++)
            {
                int index = s.Data.Offset + s.Start + i;
                if (IsValid(s.Data, s.Start + i))
                {
                    long start = Offset(source, index, large);
                    long end = Offset(source, index + 1, large);
                    if (end > start)
                    {
                        // Adjacent ranges merge into one segment of the child.
                        if (items.Count > 0 && ReferenceEquals(items[^1].Data, child) && items[^1].Start + items[^1].Count == start)
                        {
                            items[^1] = items[^1] with { Count = items[^1].Count + checked((int)(end - start)) };
                        }
                        else
                        {
                            items.Add(new Segment(child, checked((int)start), checked((int)(end - start))));
                        }

                        total += end - start;
                    }
                }

                if (large)
                {
                    BinaryPrimitives.WriteInt64LittleEndian(offsets.AsSpan((row + 1) * 8), total);
                }
                else
                {
                    BinaryPrimitives.WriteInt32LittleEndian(offsets.AsSpan((row + 1) * 4), checked((int)total));
                }
            }
        }

        record(field.Id, output.Position, rows + 1L);
        output.Write(offsets);
        var itemField = field.Children[0];
        WriteField(output, itemField, LanceSchema.ToArrowType(itemField), items, checked((int)total), keys, record);
    }

    // Dictionary keys, plain, of the dataset's key width: each row's value looked up in the dataset's
    // dictionary (key 0 under nulls).
    private static void WriteKeys(Output output, LanceField field, List<Segment> segments, int width, DictionaryKeys keys)
    {
        var lookup = keys.For(field);
        var page = new byte[segments.Sum(s => s.Count) * width];
        int row = 0;
        foreach (var s in segments)
        {
            var values = s.Data.Dictionary ?? throw new LanceSchemaException($"Column '{field.Name}' is a dictionary column, but a batch holds no dictionary for it.");
            for (int i = 0; i < s.Count; i++, row++)
            {
                long key = 0;
                if (IsValid(s.Data, s.Start + i))
                {
                    var value = DictionaryArrays.ValueBytes(values, checked((int)DictionaryArrays.KeyAt(s.Data, s.Start + i)));
                    if (!lookup.TryGetValue(Convert.ToBase64String(value), out key))
                    {
                        throw new LanceSchemaException(
                            $"Column '{field.Name}' holds the value '{System.Text.Encoding.UTF8.GetString(value)}', which is not among the {keys.Used[field.Id].Count} dictionary values "
                            + $"of the legacy (0.1) dataset (Lance keeps one dictionary per legacy dataset, in its manifest); nothing was written.");
                    }
                }

                DictionaryArrays.WriteKey(page.AsSpan(row * width), width, key);
            }
        }

        output.Write(page);
    }

    private static bool IsValid(ArrayData data, int index)
    {
        if (data.NullCount == 0 || data.Buffers[0].IsEmpty)
        {
            return true;
        }

        int bit = data.Offset + index;
        return (data.Buffers[0].Span[bit >> 3] & (1 << (bit & 7))) != 0;
    }

    private static long Offset(ReadOnlySpan<byte> offsets, int index, bool large) => large
        ? BinaryPrimitives.ReadInt64LittleEndian(offsets[(index * 8)..])
        : BinaryPrimitives.ReadInt32LittleEndian(offsets[(index * 4)..]);

    // The streaming writer: rows wait until a group of RowsPerBatch is complete (a group may span batches).
    private sealed class Writer : IDataFileWriter
    {
        private readonly LanceSchema _schema;
        private readonly CancellationToken _cancellationToken;
        private readonly Output _output;
        private readonly DictionaryKeys _keys;
        private readonly List<LanceField> _allFields;
        private readonly int _minId;
        private readonly int _maxId;
        private readonly List<(long Position, long Count)[]> _table = []; // per group, per field id
        private readonly PbFile.Metadata _metadata = new();
        private List<(RecordBatch Batch, int Start, int Count)> _pending = [];
        private int _pendingRows;
        private bool _finished;

        public Writer(Stream stream, LanceSchema schema, IDictionary<int, IReadOnlyList<byte[]>>? dictionaries, CancellationToken cancellationToken)
        {
            _schema = schema;
            _cancellationToken = cancellationToken;
            _output = new Output(stream);
            _keys = new DictionaryKeys(dictionaries ?? new Dictionary<int, IReadOnlyList<byte[]>>());
            _allFields = schema.AllFields.ToList();
            _minId = _allFields.Min(f => f.Id);
            _maxId = _allFields.Where(f => f.LogicalType != "struct").Select(f => f.Id).DefaultIfEmpty(_minId).Max();
            _metadata.BatchOffsets.Add(0);
        }

        public long RowCount { get; private set; }

        public void Append(RecordBatch batch)
        {
            ArgumentNullException.ThrowIfNull(batch);
            ObjectDisposedException.ThrowIf(_finished, this);
            int offset = 0;
            while (offset < batch.Length)
            {
                int take = Math.Min(batch.Length - offset, RowsPerBatch - _pendingRows);
                _pending.Add((batch, offset, take));
                _pendingRows += take;
                offset += take;
                if (_pendingRows == RowsPerBatch)
                {
                    WriteGroup();
                }
            }
        }

        public DataFileInfo Finish()
        {
            ObjectDisposedException.ThrowIf(_finished, this);
            if (_pendingRows > 0)
            {
                WriteGroup();
            }

            _finished = true;

            // The page table: field by field, batch by batch.
            _metadata.PageTablePosition = (ulong)_output.Position;
            var entry = new byte[16];
            for (int f = 0; f <= _maxId - _minId; f++)
            {
                foreach (var group in _table)
                {
                    BinaryPrimitives.WriteInt64LittleEndian(entry, group[f].Position);
                    BinaryPrimitives.WriteInt64LittleEndian(entry.AsSpan(8), group[f].Count);
                    _output.Write(entry);
                }
            }

            // The dictionaries' values, once per file (var-binary), where the schema copy says.
            var protoFields = _schema.ToProtoFields();
            foreach (var proto in protoFields.Where(p => _keys.Used.ContainsKey(p.Id)))
            {
                var values = _keys.Used[proto.Id];
                var positions = new byte[(values.Count + 1L) * 8];
                BinaryPrimitives.WriteInt64LittleEndian(positions, _output.Position);
                for (int i = 0; i < values.Count; i++)
                {
                    _output.Write(values[i]);
                    BinaryPrimitives.WriteInt64LittleEndian(positions.AsSpan((i + 1) * 8), _output.Position);
                }

                proto.Dictionary = new PbFile.Dictionary { Offset = _output.Position, Length = values.Count };
                _output.Write(positions);
            }

            // The file's own copy of its schema, as Lance stores it: a manifest with only the fields.
            var writer = new Manifest();
            var copy = new PbTable.Manifest
            {
                Version = 1,
                WriterVersion = new PbTable.Manifest.Types.WriterVersion { Library = writer.WriterLibrary, Version = writer.WriterVersion },
                DataFormat = new PbTable.Manifest.Types.DataStorageFormat { FileFormat = "lance", Version = DataFormatVersions.Legacy },
            };
            copy.Fields.AddRange(protoFields);
            _schema.CopyMetadataTo(copy.SchemaMetadata);
            _metadata.ManifestPosition = (ulong)_output.Position;
            _output.WriteMessage(copy);

            long metadataPosition = _output.Position;
            _output.WriteMessage(_metadata);
            var footer = new byte[LegacyFileReader.FooterLength];
            BinaryPrimitives.WriteUInt64LittleEndian(footer, (ulong)metadataPosition);
            BinaryPrimitives.WriteUInt16LittleEndian(footer.AsSpan(8), 0);
            BinaryPrimitives.WriteUInt16LittleEndian(footer.AsSpan(10), MinorVersion);
            ManifestCodec.Magic.CopyTo(footer.AsSpan(12));
            _output.Write(footer);
            return new DataFileInfo(_output.Position, [.. _allFields.Select(f => f.Id)], [], RowCount);
        }

        public void Dispose()
        {
            _finished = true;
            _pending = [];
        }

        private void WriteGroup()
        {
            var row = new (long Position, long Count)[_maxId - _minId + 1];
            for (int c = 0; c < _schema.Fields.Count; c++)
            {
                _cancellationToken.ThrowIfCancellationRequested();
                var field = _schema.Fields[c];
                var segments = _pending.Select(s => new Segment(s.Batch.Column(c).Data, s.Start, s.Count)).ToList();
                WriteField(_output, field, LanceSchema.ToArrowType(field), segments, _pendingRows, _keys, (id, position, count) => row[id - _minId] = (position, count));
            }

            _table.Add(row);
            RowCount += _pendingRows;
            _metadata.BatchOffsets.Add(checked((int)RowCount));
            _pending = [];
            _pendingRows = 0;
        }
    }

    // The dataset's dictionaries: each value's key, and the fields whose values the file must store.
    private sealed class DictionaryKeys(IDictionary<int, IReadOnlyList<byte[]>> dictionaries)
    {
        private readonly Dictionary<int, Dictionary<string, long>> _lookups = [];

        public Dictionary<int, IReadOnlyList<byte[]>> Used { get; } = [];

        public Dictionary<string, long> For(LanceField field)
        {
            if (!_lookups.TryGetValue(field.Id, out var lookup))
            {
                var values = dictionaries[field.Id];
                lookup = [];
                for (int i = 0; i < values.Count; i++)
                {
                    lookup.TryAdd(Convert.ToBase64String(values[i]), i);
                }

                _lookups[field.Id] = lookup;
                Used[field.Id] = values;
            }

            return lookup;
        }
    }

    /// <summary>Rows <c>[Start, Start + Count)</c> (logical, before <see cref="ArrayData.Offset"/>) of an array.</summary>
    private readonly record struct Segment(ArrayData Data, int Start, int Count);

    // The stream with its position counted (the file is written front to back, once).
    private sealed class Output(Stream stream)
    {
        public long Position { get; private set; }

        public void Write(ReadOnlySpan<byte> bytes)
        {
            stream.Write(bytes);
            Position += bytes.Length;
        }

        public void WriteMessage(IMessage message)
        {
            var bytes = message.ToByteArray();
            var length = new byte[4];
            BinaryPrimitives.WriteUInt32LittleEndian(length, checked((uint)bytes.Length));
            Write(length);
            Write(bytes);
        }
    }
}
