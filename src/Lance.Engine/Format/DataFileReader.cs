using System.Buffers.Binary;
using System.IO.MemoryMappedFiles;
using Apache.Arrow;
using Google.Protobuf;
using Lance.Engine.Arrow;
using Lance.Engine.Format.Encodings;
using Lance.Engine.Format.Legacy;
using Lance.Engine.Format.Nested;
using Microsoft.Win32.SafeHandles;
using File2 = Lance.Engine.Format.Protos.File2;
using PbFile = Lance.Engine.Format.Protos.File;

namespace Lance.Engine.Format;

/// <summary>
/// Reads a Lance data file of format 2.0, 2.1 or 2.2 into Arrow (legacy 0.1 files through
/// <see cref="LegacyFileReader"/>). Only the footer and metadata are read when it
/// opens; each column's page buffers are read when that column is asked for, so projecting a few
/// columns of a wide file reads only those.
/// </summary>
internal sealed class DataFileReader : IDisposable, ILegacyFileBytes
{
    private const int FooterLength = 40;

    private readonly SafeFileHandle? _handle;
    private readonly ReadOnlyMemory<byte> _bytes;
    private readonly string _name;
    private readonly (long Position, long Length)[] _columns;
    private readonly Dictionary<int, int> _columnOfField = [];
    private readonly LegacyFileReader? _legacy;
    private MemoryMappedFile? _mapping;

    private DataFileReader(SafeFileHandle? handle, ReadOnlyMemory<byte> bytes, long length, string name)
    {
        _handle = handle;
        _bytes = bytes;
        _name = name;
        FileLength = length;

        var footer = ReadRange(length - FooterLength, FooterLength).Span;
        if (!footer[36..].SequenceEqual(ManifestCodec.Magic))
        {
            throw new LanceFormatException(
                $"'{name}' is not a Lance data file, or is truncated: its last 4 bytes are not the magic \"LANC\" (file length {length} bytes).");
        }

        MajorVersion = BinaryPrimitives.ReadUInt16LittleEndian(footer[32..]);
        MinorVersion = BinaryPrimitives.ReadUInt16LittleEndian(footer[34..]);

        // Footer version 0.3 is file format 2.0 (LanceDB's "stable" storage version before 2.1);
        // 0.1 and 0.2 are the legacy format LanceDB writes for storage version "legacy".
        IsFormat20 = MajorVersion == 0 && MinorVersion == 3;
        if (MajorVersion == 0 && MinorVersion is 1 or 2)
        {
            _columns = [];
            _legacy = new LegacyFileReader(this);
            Schema = _legacy.Schema;
            RowCount = _legacy.RowCount;
            return;
        }

        if (!IsFormat20 && (MajorVersion != 2 || MinorVersion < 1))
        {
            throw new LanceFormatException(
                $"'{name}' uses Lance file format {MajorVersion}.{MinorVersion}; Lance.Engine reads the legacy format (0.1/0.2) and file formats 2.0, 2.1 and 2.2 (2.x layouts it knows).");
        }

        long columnTablePosition = Position(BinaryPrimitives.ReadUInt64LittleEndian(footer[8..]), "column offset table");
        long globalTablePosition = Position(BinaryPrimitives.ReadUInt64LittleEndian(footer[16..]), "global buffer offset table");
        uint globalBuffers = BinaryPrimitives.ReadUInt32LittleEndian(footer[24..]);
        uint columnCountRaw = BinaryPrimitives.ReadUInt32LittleEndian(footer[28..]);
        if (globalBuffers < 1)
        {
            throw new LanceFormatException($"'{name}' has no global buffer, so no schema.");
        }

        if (columnCountRaw > (ulong)length / 16 || globalBuffers > (ulong)length / 16)
        {
            throw new LanceFormatException($"'{name}' is corrupt: its footer claims {columnCountRaw} columns and {globalBuffers} global buffers, more than a {length}-byte file can hold.");
        }

        int columnCount = (int)columnCountRaw;
        var globalTable = ReadRange(globalTablePosition, 16).Span;
        var descriptorBytes = ReadRange(
            Position(BinaryPrimitives.ReadUInt64LittleEndian(globalTable), "schema"),
            Size(BinaryPrimitives.ReadUInt64LittleEndian(globalTable[8..]), "schema"));
        PbFile.FileDescriptor descriptor;
        try
        {
            descriptor = PbFile.FileDescriptor.Parser.ParseFrom(descriptorBytes.Span);
        }
        catch (InvalidProtocolBufferException e)
        {
            throw new LanceFormatException($"'{name}': the schema in global buffer 0 cannot be parsed.", e);
        }

        Schema = LanceSchema.FromProto(descriptor.Schema?.Fields ?? [], descriptor.Schema?.Metadata);
        if (descriptor.Length > int.MaxValue)
        {
            throw new LanceFormatException($"'{name}' claims {descriptor.Length} rows, more than one data file can hold here.");
        }

        RowCount = (long)descriptor.Length;

        var columnTable = ReadRange(columnTablePosition, columnCount * 16).Span;
        _columns = new (long, long)[columnCount];
        for (int i = 0; i < columnCount; i++)
        {
            _columns[i] = (Position(BinaryPrimitives.ReadUInt64LittleEndian(columnTable[(i * 16)..]), $"column {i}'s metadata"),
                Size(BinaryPrimitives.ReadUInt64LittleEndian(columnTable[(i * 16 + 8)..]), $"column {i}'s metadata"));
        }

        // In 2.1 every leaf field has one column, in pre-order; parents (structs, lists) have none.
        // In 2.0 every field has one, parents included.
        int column = 0;
        foreach (var field in Schema.AllFields)
        {
            if (field.IsLeaf || IsFormat20)
            {
                _columnOfField[field.Id] = column++;
            }
        }

        if (column > columnCount)
        {
            throw new LanceFormatException($"'{name}' is corrupt: its schema has {column} leaf fields but the file has only {columnCount} columns.");
        }
    }

    /// <summary>The file's schema (from its global buffer 0).</summary>
    public LanceSchema Schema { get; }

    /// <summary>The number of rows in the file.</summary>
    public long RowCount { get; }

    /// <summary>The file's size in bytes.</summary>
    public long FileLength { get; }

    // Values are stored uncompressed or compressed, so a column rarely decodes to much more than
    // the file; buffers still grow past this when a column really is larger.
    private long InitialValueBytesCap => Math.Max(1 << 16, FileLength * 4);

    /// <summary>Whether the file is of the legacy format (footer version 0.1 or 0.2), read by <see cref="LegacyFileReader"/>.</summary>
    public bool IsLegacy => _legacy is not null;

    /// <summary>Whether the file is of format 2.0 (footer version 0.3), read by <see cref="V20.ArrayEncodingDecoder"/>.</summary>
    public bool IsFormat20 { get; }

    /// <summary>The file format's major version (2).</summary>
    public int MajorVersion { get; }

    /// <summary>The file format's minor version (1 or more).</summary>
    public int MinorVersion { get; }

    /// <summary>Opens a data file on disk (kept open until disposed).</summary>
    /// <exception cref="LanceFormatException">The file is not a Lance 2.1 data file.</exception>
    public static DataFileReader Open(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete, FileOptions.RandomAccess);
        try
        {
            long length = RandomAccess.GetLength(handle);
            if (length < FooterLength)
            {
                throw new LanceFormatException($"'{path}' is too short ({length} bytes) to be a Lance data file.");
            }

            return new DataFileReader(handle, default, length, path);
        }
        catch (Exception e) when (CorruptInput.IsCorruption(e))
        {
            handle.Dispose();
            throw CorruptInput.Wrap(path, e);
        }
        catch
        {
            handle.Dispose();
            throw;
        }
    }

    /// <summary>Reads a data file held in memory.</summary>
    /// <exception cref="LanceFormatException">The bytes are not a Lance 2.1 data file.</exception>
    public static DataFileReader FromBytes(ReadOnlyMemory<byte> bytes, string name = "(in memory)")
    {
        if (bytes.Length < FooterLength)
        {
            throw new LanceFormatException($"'{name}' is too short ({bytes.Length} bytes) to be a Lance data file.");
        }

        try
        {
            return new DataFileReader(null, bytes, bytes.Length, name);
        }
        catch (Exception e) when (CorruptInput.IsCorruption(e))
        {
            throw CorruptInput.Wrap(name, e);
        }
    }

    /// <summary>
    /// Reads the data file at <paramref name="path"/> into one batch.
    /// </summary>
    /// <param name="path">The data file.</param>
    /// <param name="schema">
    /// The table's schema (e.g. the manifest's), whose field ids find the file's columns; null to use
    /// the file's own. A nullable field the file lacks (added later) reads as all nulls.
    /// </param>
    /// <param name="columns">The top-level columns to read, by name and in this order; null for all.</param>
    /// <param name="mapFlatColumns">Map vector columns rather than read them (see <see cref="MapFlatColumns"/>).</param>
    public static RecordBatch Read(string path, LanceSchema? schema = null, IReadOnlyList<string>? columns = null, bool mapFlatColumns = false)
    {
        using var reader = Open(path);
        reader.MapFlatColumns = mapFlatColumns;
        return reader.Read(columns, schema);
    }

    /// <summary>Reads some or all top-level columns into one batch.</summary>
    /// <param name="columns">The top-level columns to read, by name and in this order; null for all.</param>
    /// <param name="schema">The schema that names the columns (defaults to the file's own).</param>
    /// <exception cref="LanceSchemaException">A requested column does not exist.</exception>
    /// <exception cref="LanceFormatException">The file uses an encoding or type this engine cannot read.</exception>
    public RecordBatch Read(IReadOnlyList<string>? columns = null, LanceSchema? schema = null)
    {
        schema ??= Schema;
        var fields = columns is null
            ? schema.Fields.ToList()
            : columns.Select(name => schema.FindField(name)
                ?? throw new LanceSchemaException(
                    $"Column '{name}' does not exist in '{_name}'. Columns: {string.Join(", ", schema.Fields.Select(f => f.Name))}.")).ToList();
        var arrays = fields.Select(ReadColumn).ToList();
        try
        {
            return new RecordBatch(schema.ToArrow(fields), arrays, checked((int)RowCount));
        }
        catch (Exception e) when (CorruptInput.IsCorruption(e))
        {
            throw CorruptInput.Wrap(_name, e);
        }
    }

    /// <summary>Reads the column of one top-level field (matched by field id; nested fields from their leaves) as an Arrow array.</summary>
    /// <exception cref="LanceFormatException">The file uses an encoding or type this engine cannot read, or is corrupt.</exception>
    public IArrowArray ReadColumn(LanceField field)
    {
        ArgumentNullException.ThrowIfNull(field);
        CancellationToken.ThrowIfCancellationRequested();
        try
        {
            return ReadColumnCore(field);
        }
        catch (Exception e) when (CorruptInput.IsCorruption(e))
        {
            throw CorruptInput.Wrap(_name, e, field.Name);
        }
    }

    private IArrowArray ReadColumnCore(LanceField field)
    {
        if (_legacy is not null)
        {
            return _legacy.ReadColumn(field, MapFlatColumns && !OperatingSystem.IsWindows());
        }

        var type = LanceSchema.ToArrowType(field);
        if (IsFormat20 && (!field.IsLeaf || type is Apache.Arrow.Types.DictionaryType) && _columnOfField.ContainsKey(field.Id))
        {
            // Every list item LanceDB writes takes at least a bit of the file: more claimed is corruption.
            return new V20.NestedColumnReader(_name, Pages20, InitialValueBytesCap, Math.Max(RowCount, FileLength * 8)).Read(field, RowCount);
        }

        if (!field.IsLeaf)
        {
            return ReadNested(field, type);
        }

        if (type is Apache.Arrow.Types.DictionaryType dictionaryType && _columnOfField.TryGetValue(field.Id, out int dictionaryColumn))
        {
            var dictionary = new DictionaryPages.Reader(dictionaryType, RowCount, field.Name);
            DecodeColumn(dictionaryColumn, field.Name, null, null, dictionary);
            return dictionary.Length == RowCount
                ? dictionary.Build()
                : throw new LanceFormatException($"'{_name}': column '{field.Name}' holds {dictionary.Length} rows but the file has {RowCount}.");
        }

        if (_columnOfField.TryGetValue(field.Id, out int flatColumn) && TryMapFixedWidthColumn(flatColumn, type) is { } mapped)
        {
            return mapped;
        }

        var builder = new ColumnBuilder(type, RowCount, InitialValueBytesCap);
        if (!_columnOfField.TryGetValue(field.Id, out int column))
        {
            if (!field.Nullable)
            {
                throw new LanceFormatException($"'{_name}' has no column for the non-nullable field '{field.Name}' (id {field.Id}).");
            }

            builder.AppendNulls(checked((int)RowCount));
            return builder.Build();
        }

        DecodeColumn(column, field.Name, builder, levels: null);
        if (builder.Length != RowCount)
        {
            throw new LanceFormatException($"'{_name}': column '{field.Name}' holds {builder.Length} rows but the file has {RowCount}.");
        }

        return builder.Build();
    }

    /// <summary>
    /// Below this many bytes a column is read rather than mapped (mapping has a fixed cost).
    /// </summary>
    public const int MinMappedColumnBytes = 1 << 20;

    /// <summary>
    /// Whether fixed-width columns stored flat without nulls (vector columns) are handed out as
    /// memory-mapped views of the file instead of being read into managed memory (off by default).
    /// Keep such an array reachable while using spans over its values: collecting it unmaps them.
    /// Not on Windows, where a mapped file cannot be deleted.
    /// </summary>
    public bool MapFlatColumns { get; set; }

    /// <summary>Checked before each column and each page read, so a long read stops within a page of being cancelled.</summary>
    public CancellationToken CancellationToken { get; set; }

    /// <summary>The most bytes one mapped view of <see cref="TryMapFlatColumn"/> covers (a run longer than this is split).</summary>
    internal const int MaxMappedArrayBytes = 1 << 30;

    /// <summary>
    /// Maps a fixed-width column with no nulls whose pages are all full-zip flat buffers (a vector
    /// column as LanceDB and this engine write it) as arrays that are views of the file: nothing is
    /// copied and nothing is held in managed memory, the bytes stay in the OS page cache. Pages that
    /// lie back to back make one array; a file LanceDB wrote in one go interleaves each column's
    /// pages with the other columns', so its vector column maps as one array per page. The arrays
    /// come in row order and together hold every row of the file.
    /// </summary>
    /// <returns>The arrays, or null when the column is stored otherwise (then <see cref="ReadColumn"/> reads it), or on Windows.</returns>
    /// <remarks>Keep the arrays reachable while using spans over their values: collecting them unmaps the views.</remarks>
    /// <exception cref="LanceFormatException">The file is corrupt.</exception>
    public IReadOnlyList<IArrowArray>? TryMapFlatColumn(LanceField field)
    {
        ArgumentNullException.ThrowIfNull(field);
        try
        {
            return TryMapFlatColumnCore(field);
        }
        catch (Exception e) when (CorruptInput.IsCorruption(e))
        {
            throw CorruptInput.Wrap(_name, e, field.Name);
        }
    }

    private List<IArrowArray>? TryMapFlatColumnCore(LanceField field)
    {
        if (_legacy is not null || !field.IsLeaf || !_columnOfField.TryGetValue(field.Id, out int column) || (_handle is not null && OperatingSystem.IsWindows()))
        {
            return null;
        }

        var type = LanceSchema.ToArrowType(field);
        long width = LanceLogicalTypes.FixedWidthBits(type) / 8;
        if (RowCount * width < MinMappedColumnBytes || FlatPageRuns(column, type) is not { } runs)
        {
            return null;
        }

        long rowsPerArray = MaxMappedArrayBytes / width;
        var arrays = new List<IArrowArray>(runs.Count);
        foreach (var (position, rows) in runs)
        {
            for (long done = 0; done < rows; done += rowsPerArray)
            {
                arrays.Add(MappedArray(type, position + (done * width), (int)Math.Min(rowsPerArray, rows - done), width));
            }
        }

        return arrays;
    }

    // A fixed-width column with no nulls whose pages are all full-zip flat buffers lying back to back
    // (vectors of a multiple of 64 bytes always do) is, on disk, exactly its Arrow values buffer:
    // map it (or slice the in-memory file) instead of copying it.
    private IArrowArray? TryMapFixedWidthColumn(int column, Apache.Arrow.Types.IArrowType type)
    {
        long width = LanceLogicalTypes.FixedWidthBits(type) / 8;
        long total = RowCount * width;
        if (!MapFlatColumns || OperatingSystem.IsWindows() || total < MinMappedColumnBytes || total > int.MaxValue
            || FlatPageRuns(column, type) is not [var (position, rows)])
        {
            return null;
        }

        return MappedArray(type, position, (int)rows, width);
    }

    // The pages of a fixed-width column as runs of pages lying back to back in the file, each as
    // (position, rows); null unless every page is a full-zip buffer of exactly its values (no control
    // words, no repetition index, no compression) and the pages hold exactly the file's rows.
    private List<(long Position, long Rows)>? FlatPageRuns(int column, Apache.Arrow.Types.IArrowType type)
    {
        int bits = LanceLogicalTypes.FixedWidthBits(type);
        if (IsFormat20 || bits % 8 != 0 || bits == 0 || type is Apache.Arrow.Types.DictionaryType || column >= _columns.Length)
        {
            return null;
        }

        long width = bits / 8;
        var (metadataPosition, metadataLength) = _columns[column];
        File2.ColumnMetadata metadata;
        try
        {
            metadata = File2.ColumnMetadata.Parser.ParseFrom(ReadRange(metadataPosition, (int)metadataLength).Span);
        }
        catch (InvalidProtocolBufferException)
        {
            return null; // the regular path reports it
        }

        var runs = new List<(long Position, long Rows)>();
        long rowsSoFar = 0;
        long next = -1;
        foreach (var page in metadata.Pages)
        {
            if (!IsFlatPage(page, bits) || page.Length > (ulong)(RowCount - rowsSoFar) || page.BufferSizes[0] != page.Length * (ulong)width)
            {
                return null;
            }

            long offset = (long)Math.Min(page.BufferOffsets[0], long.MaxValue);
            long bytes = (long)page.BufferSizes[0];
            if (offset > FileLength - bytes)
            {
                return null;
            }

            if (runs.Count > 0 && offset == next)
            {
                runs[^1] = (runs[^1].Position, runs[^1].Rows + (long)page.Length);
            }
            else if (page.Length > 0)
            {
                runs.Add((offset, (long)page.Length));
            }

            rowsSoFar += (long)page.Length;
            next = offset + bytes;
        }

        return runs.Count > 0 && rowsSoFar == RowCount ? runs : null;
    }

    // Whether a page is a full-zip page of fixed-width values of `bits` with no control words and one
    // buffer (no repetition index): its buffer is its values, back to back.
    private static bool IsFlatPage(File2.ColumnMetadata.Types.Page page, int bits)
    {
        if (page.BufferOffsets.Count != 1 || page.BufferSizes.Count != 1)
        {
            return false;
        }

        try
        {
            return EncodingProtos.ReadPageLayout(page.Encoding, "").FullZipLayout is { BitsRep: 0, BitsDef: 0 } fullZip
                && ValueEncoding.From(fullZip.ValueCompression, "") is { IsVariable: false, ItemValidityBytes: 0 } encoding
                && encoding.Bits == bits;
        }
        catch (LanceFormatException)
        {
            return false; // the regular path names the encoding in its error
        }
    }

    // An array of `rows` fixed-width values with no nulls whose values buffer is the file's bytes
    // from `position`: a view of the mapped file, or a slice of the in-memory one.
    private IArrowArray MappedArray(Apache.Arrow.Types.IArrowType type, long position, int rows, long width)
    {
        int bytes = checked((int)(rows * width));
        CheckRange(position, bytes);
        ReadOnlyMemory<byte> memory;
        if (_handle is null)
        {
            memory = _bytes.Slice((int)position, bytes);
        }
        else
        {
            _mapping ??= MemoryMappedFile.CreateFromFile(_handle, null, 0, MemoryMappedFileAccess.Read, HandleInheritability.None, leaveOpen: true);
            memory = MappedFileMemory.Map(_mapping, position, bytes).Memory;
        }

        var values = new ArrowBuffer(memory);
        var data = type is Apache.Arrow.Types.FixedSizeListType fsl
            ? new ArrayData(type, rows, 0, 0, [ArrowBuffer.Empty], [new ArrayData(fsl.ValueDataType, rows * fsl.ListSize, 0, 0, [ArrowBuffer.Empty, values])])
            : new ArrayData(type, rows, 0, 0, [ArrowBuffer.Empty, values]);
        return ArrowArrayFactory.BuildArray(data);
    }

    private IArrowArray ReadNested(LanceField field, Apache.Arrow.Types.IArrowType type)
    {
        var paths = LeafPath.Of(field);
        if (paths.Any(p => !_columnOfField.ContainsKey(p.Leaf.Id)))
        {
            if (!field.Nullable)
            {
                throw new LanceFormatException($"'{_name}' has no columns for the non-nullable field '{field.Name}' (id {field.Id}).");
            }

            // A column added after this file was written.
            return ArrowEmpty.CreateNulls(type, checked((int)RowCount));
        }

        var leaves = new List<LevelAssembler.Leaf>(paths.Count);
        foreach (var path in paths)
        {
            var builder = new ColumnBuilder(LanceSchema.ToArrowType(path.Leaf), RowCount, InitialValueBytesCap);
            var levels = new LevelCollector(path);
            DecodeColumn(_columnOfField[path.Leaf.Id], path.Name, builder, levels);
            leaves.Add(new LevelAssembler.Leaf(path, levels, builder.Build()));
        }

        try
        {
            return LevelAssembler.Build(field, leaves, RowCount);
        }
        catch (LanceFormatException e)
        {
            throw new LanceFormatException($"'{_name}': {e.Message}", e);
        }
    }

    private void DecodeColumn(int column, string name, ColumnBuilder? builder, LevelCollector? levels, DictionaryPages.Reader? dictionary = null)
    {
        if (column >= _columns.Length)
        {
            throw new LanceFormatException($"'{_name}' is corrupt: column '{name}' should be column {column} but the file has {_columns.Length}.");
        }

        var (position, length) = _columns[column];
        File2.ColumnMetadata metadata;
        try
        {
            metadata = File2.ColumnMetadata.Parser.ParseFrom(ReadRange(position, (int)length).Span);
        }
        catch (InvalidProtocolBufferException e)
        {
            throw new LanceFormatException($"'{_name}' is corrupt: the metadata of column '{name}' cannot be parsed.", e);
        }

        if (builder is not null && levels is null && dictionary is null && !IsFormat20
            && (TryReadFlatPagesInParallel(metadata, builder, name) || TryDecodePagesInParallel(metadata, builder, name)))
        {
            return;
        }

        long rowsSoFar = 0;
        foreach (var page in metadata.Pages)
        {
            CancellationToken.ThrowIfCancellationRequested();
            if (page.BufferOffsets.Count != page.BufferSizes.Count)
            {
                throw new LanceFormatException($"'{_name}' is corrupt: a page of column '{name}' lists {page.BufferOffsets.Count} buffer offsets but {page.BufferSizes.Count} sizes.");
            }

            if (page.Length > (ulong)(RowCount - rowsSoFar))
            {
                throw new LanceFormatException($"'{_name}' is corrupt: the pages of column '{name}' hold more than the file's {RowCount} rows.");
            }

            rowsSoFar += (long)page.Length;
            if (IsFormat20)
            {
                var pageBuffers = new ReadOnlyMemory<byte>[page.BufferOffsets.Count];
                for (int i = 0; i < pageBuffers.Length; i++)
                {
                    pageBuffers[i] = ReadRange(
                        Position(page.BufferOffsets[i], $"a buffer of column '{name}'"), Size(page.BufferSizes[i], $"a buffer of column '{name}'"));
                }

                V20.ArrayEncodingDecoder.Decode(page.Encoding, pageBuffers, (long)page.Length, builder!, name);
                continue;
            }

            DecodePage21(page, name, builder, levels, dictionary);
        }
    }

    // Decodes one page of a 2.1/2.2 column into the builder (or the dictionary reader).
    private void DecodePage21(File2.ColumnMetadata.Types.Page page, string name, ColumnBuilder? builder, LevelCollector? levels, DictionaryPages.Reader? dictionary)
    {
        Protos.Encodings21.PageLayout layout;
        try
        {
            layout = EncodingProtos.ReadPageLayout(page.Encoding, name);
        }
        catch (InvalidProtocolBufferException e)
        {
            throw new LanceFormatException($"'{_name}' is corrupt: a page encoding of column '{name}' cannot be parsed.", e);
        }

        if (builder is not null && levels is null && TryReadFlatValuesInPlace(page, layout, builder))
        {
            return;
        }

        var buffers = new ReadOnlyMemory<byte>[page.BufferOffsets.Count];
        for (int i = 0; i < buffers.Length; i++)
        {
            buffers[i] = ReadRange(
                Position(page.BufferOffsets[i], $"a buffer of column '{name}'"), Size(page.BufferSizes[i], $"a buffer of column '{name}'"));
        }

        try
        {
            if (dictionary is not null)
            {
                dictionary.Decode(layout, buffers, (long)page.Length);
            }
            else
            {
                DecodePage(layout, buffers, (long)page.Length, builder!, name, levels);
            }
        }
        catch (LanceFormatException e) when (!e.Message.StartsWith($"'{_name}'", StringComparison.Ordinal))
        {
            throw new LanceFormatException($"'{_name}': {e.Message}", e);
        }
    }

    /// <summary>
    /// Below this many bytes of page buffers a column's pages are decoded one after the other rather
    /// than in parallel (1 MiB; tests lower it to decode small columns in parallel).
    /// </summary>
    internal long ParallelDecodeMinBytes { get; set; } = 1 << 20;

    // The pages of a flat column decode independently: each into a builder of its own, on every core,
    // a window of pages at a time (so at most that many decoded pages wait at once), then appended in
    // order to the column's builder.
    private bool TryDecodePagesInParallel(File2.ColumnMetadata metadata, ColumnBuilder builder, string name)
    {
        var pages = metadata.Pages;
        if (pages.Count < 2 || Environment.ProcessorCount == 1 || pages.Sum(p => p.BufferSizes.Sum(size => (double)size)) < ParallelDecodeMinBytes)
        {
            return false;
        }

        long rowsSoFar = 0;
        foreach (var page in pages)
        {
            if (page.BufferOffsets.Count != page.BufferSizes.Count)
            {
                throw new LanceFormatException($"'{_name}' is corrupt: a page of column '{name}' lists {page.BufferOffsets.Count} buffer offsets but {page.BufferSizes.Count} sizes.");
            }

            if (page.Length > (ulong)(RowCount - rowsSoFar))
            {
                throw new LanceFormatException($"'{_name}' is corrupt: the pages of column '{name}' hold more than the file's {RowCount} rows.");
            }

            rowsSoFar += (long)page.Length;
        }

        int window = Environment.ProcessorCount * 2;
        for (int first = 0; first < pages.Count; first += window)
        {
            var decoded = new ColumnBuilder[Math.Min(window, pages.Count - first)];
            InParallel(decoded.Length, i =>
            {
                var page = pages[first + i];
                var part = builder.ForPage((long)page.Length);
                DecodePage21(page, name, part, levels: null, dictionary: null);
                decoded[i] = part;
            });
            foreach (var part in decoded)
            {
                builder.AppendBuilder(part);
            }
        }

        return true;
    }

    // Parallel.For, throwing what the body threw (a LanceFormatException, say) rather than an AggregateException.
    private static void InParallel(int count, Action<int> body)
    {
        try
        {
            Parallel.For(0, count, body);
        }
        catch (AggregateException e) when (e.InnerExceptions.Count > 0)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(e.InnerExceptions[0]).Throw();
        }
    }

    // The pages of a field's column in a format 2.0 file (every field has one), their buffers read.
    private List<V20.Page20> Pages20(LanceField field)
    {
        if (!_columnOfField.TryGetValue(field.Id, out int column) || column >= _columns.Length)
        {
            throw new LanceFormatException($"'{_name}' is corrupt: it has no column for field '{field.Name}' (id {field.Id}).");
        }

        var (position, length) = _columns[column];
        File2.ColumnMetadata metadata;
        try
        {
            metadata = File2.ColumnMetadata.Parser.ParseFrom(ReadRange(position, (int)length).Span);
        }
        catch (InvalidProtocolBufferException e)
        {
            throw new LanceFormatException($"'{_name}' is corrupt: the metadata of column '{field.Name}' cannot be parsed.", e);
        }

        var pages = new List<V20.Page20>(metadata.Pages.Count);
        foreach (var page in metadata.Pages)
        {
            if (page.BufferOffsets.Count != page.BufferSizes.Count || page.Length > int.MaxValue)
            {
                throw new LanceFormatException($"'{_name}' is corrupt: a page of column '{field.Name}' has {page.BufferOffsets.Count} buffer offsets, {page.BufferSizes.Count} sizes and {page.Length} rows.");
            }

            var buffers = new ReadOnlyMemory<byte>[page.BufferOffsets.Count];
            for (int i = 0; i < buffers.Length; i++)
            {
                buffers[i] = ReadRange(
                    Position(page.BufferOffsets[i], $"a buffer of column '{field.Name}'"), Size(page.BufferSizes[i], $"a buffer of column '{field.Name}'"));
            }

            pages.Add(new V20.Page20(page.Encoding, buffers, (long)page.Length));
        }

        return pages;
    }

    private static void DecodePage(
        Protos.Encodings21.PageLayout layout, ReadOnlyMemory<byte>[] buffers, long rows, ColumnBuilder builder, string name, LevelCollector? levels)
    {
        switch (layout.LayoutCase)
        {
            case Protos.Encodings21.PageLayout.LayoutOneofCase.MiniBlockLayout:
                MiniBlockDecoder.Decode(layout.MiniBlockLayout, buffers, rows, builder, name, levels);
                break;
            case Protos.Encodings21.PageLayout.LayoutOneofCase.FullZipLayout:
                FullZipDecoder.Decode(layout.FullZipLayout, buffers, rows, builder, name, levels);
                break;
            case Protos.Encodings21.PageLayout.LayoutOneofCase.AllNullLayout:
                ConstantLayoutDecoder.Decode(layout.AllNullLayout, buffers, rows, builder, name, levels);
                break;
            default:
                throw ValueEncoding.Unsupported(name, $"{layout.LayoutCase} page layout");
        }
    }

    /// <summary>The bytes one thread reads at a time when a column's flat pages are read in parallel.</summary>
    private const int ParallelReadPieceBytes = 8 << 20;

    // A column whose pages are all full-zip flat buffers (a vector column that could not be mapped:
    // its pages do not lie back to back, or the caller wants it in memory) is read straight into its
    // one Arrow buffer, page by page and in pieces on every core: the only copy, and no page buffers.
    private bool TryReadFlatPagesInParallel(File2.ColumnMetadata metadata, ColumnBuilder builder, string name)
    {
        if (builder.IsVariable || builder.BitsPerValue % 8 != 0 || builder.BitsPerValue == 0 || metadata.Pages.Count == 0)
        {
            return false;
        }

        int width = builder.BitsPerValue / 8;
        var pages = new List<(long Position, long Destination, long Bytes)>(metadata.Pages.Count);
        long rows = 0;
        foreach (var page in metadata.Pages)
        {
            if (!IsFlatPage(page, builder.BitsPerValue))
            {
                return false;
            }

            if (page.Length > (ulong)(RowCount - rows))
            {
                throw new LanceFormatException($"'{_name}' is corrupt: the pages of column '{name}' hold more than the file's {RowCount} rows.");
            }

            long bytes = (long)page.Length * width;
            long position = Position(page.BufferOffsets[0], "a page buffer");
            if (bytes > (long)page.BufferSizes[0] || position > FileLength - bytes)
            {
                throw new LanceFormatException($"'{_name}' is corrupt: a page of {page.Length} values needs {bytes} bytes but its buffer holds {page.BufferSizes[0]}.");
            }

            pages.Add((position, rows * width, bytes));
            rows += (long)page.Length;
        }

        var destination = builder.AppendFixedRun(checked((int)rows));
        var pieces = new List<(long Position, int Destination, int Bytes)>();
        foreach (var (position, start, bytes) in pages)
        {
            for (long done = 0; done < bytes; done += ParallelReadPieceBytes)
            {
                pieces.Add((position + done, (int)(start + done), (int)Math.Min(ParallelReadPieceBytes, bytes - done)));
            }
        }

        InParallel(pieces.Count, i =>
        {
            var (position, at, bytes) = pieces[i];
            ReadInto(position, destination.Span.Slice(at, bytes));
        });
        return true;
    }

    // A full-zip page of fixed-width values with no nulls (a vector page) is a flat array on disk:
    // read it straight into the column's Arrow buffer, the only copy.
    private bool TryReadFlatValuesInPlace(File2.ColumnMetadata.Types.Page page, Protos.Encodings21.PageLayout layout, ColumnBuilder builder)
    {
        if (layout.LayoutCase != Protos.Encodings21.PageLayout.LayoutOneofCase.FullZipLayout
            || layout.FullZipLayout is not { BitsRep: 0, BitsDef: 0 } fullZip
            || page.BufferOffsets.Count != 1
            || builder.IsVariable
            || builder.BitsPerValue % 8 != 0)
        {
            return false;
        }

        ValueEncoding values;
        try
        {
            values = ValueEncoding.From(fullZip.ValueCompression, "");
        }
        catch (LanceFormatException)
        {
            return false; // DecodePage names the encoding in its error
        }

        if (values.IsVariable || values.Bits != builder.BitsPerValue || values.ItemValidityBytes != 0)
        {
            return false;
        }

        int count = checked((int)page.Length);
        long bytes = (long)count * (builder.BitsPerValue / 8);
        long position = Position(page.BufferOffsets[0], "a page buffer");
        if (bytes > (long)page.BufferSizes[0] || position + bytes > FileLength)
        {
            throw new LanceFormatException($"'{_name}' is corrupt: a page of {count} values needs {bytes} bytes but its buffer holds {page.BufferSizes[0]}.");
        }

        var destination = builder.AppendFixedInPlace(count);
        ReadInto(position, destination);
        return true;
    }

    /// <summary>
    /// Describes each page of a field's column, e.g. <c>MiniBlock(Flat(64), nulls)</c> (with
    /// <c>, large chunks</c> for format 2.2's 32-bit chunk sizes) or
    /// <c>FullZip(FixedSizeList(384, Flat(32)))</c>: for diagnostics and tests of what was written.
    /// </summary>
    public IReadOnlyList<string> DescribePages(LanceField field)
    {
        ArgumentNullException.ThrowIfNull(field);
        if (_legacy is not null)
        {
            return _legacy.DescribePages(field);
        }

        if (!_columnOfField.TryGetValue(field.Id, out int column))
        {
            return [];
        }

        var (position, length) = _columns[column];
        var metadata = File2.ColumnMetadata.Parser.ParseFrom(ReadRange(position, checked((int)length)).Span);
        return metadata.Pages.Select(page =>
        {
            if (IsFormat20)
            {
                return "2.0 " + V20.ArrayEncodingDecoder.Read(page.Encoding, field.Name).ArrayEncodingCase;
            }

            var layout = EncodingProtos.ReadPageLayout(page.Encoding, field.Name);
            return layout.LayoutCase switch
            {
                Protos.Encodings21.PageLayout.LayoutOneofCase.MiniBlockLayout =>
                    $"MiniBlock({Describe(layout.MiniBlockLayout.ValueCompression)}{(layout.MiniBlockLayout.DefCompression is null ? "" : ", nulls")}{(layout.MiniBlockLayout.HasLargeChunk ? ", large chunks" : "")})",
                Protos.Encodings21.PageLayout.LayoutOneofCase.FullZipLayout =>
                    $"FullZip({Describe(layout.FullZipLayout.ValueCompression)}{(layout.FullZipLayout.BitsDef == 0 ? "" : ", nulls")})",
                _ => layout.LayoutCase.ToString(),
            };
        }).ToList();
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        // Views already handed out stay valid: each holds its own mapping of the file.
        _mapping?.Dispose();
        _handle?.Dispose();
    }

    private static string Describe(Protos.Encodings21.CompressiveEncoding? encoding) => encoding?.CompressionCase switch
    {
        Protos.Encodings21.CompressiveEncoding.CompressionOneofCase.Flat => $"Flat({encoding.Flat.BitsPerValue})",
        Protos.Encodings21.CompressiveEncoding.CompressionOneofCase.Variable => $"Variable({Describe(encoding.Variable.Offsets)})",
        Protos.Encodings21.CompressiveEncoding.CompressionOneofCase.FixedSizeList =>
            $"FixedSizeList({encoding.FixedSizeList.ItemsPerValue}, {Describe(encoding.FixedSizeList.Values)})",
        _ => ValueEncoding.Name(encoding),
    };

    string ILegacyFileBytes.Name => _name;

    long ILegacyFileBytes.Length => FileLength;

    ReadOnlyMemory<byte> ILegacyFileBytes.Read(long position, int length) => ReadRange(position, length);

    void ILegacyFileBytes.ReadInto(long position, Span<byte> destination) => ReadInto(position, destination);

    ReadOnlyMemory<byte>? ILegacyFileBytes.TryMap(long position, int length)
    {
        CheckRange(position, length);
        if (_handle is null)
        {
            return _bytes.Slice((int)position, length);
        }

        if (OperatingSystem.IsWindows())
        {
            return null;
        }

        _mapping ??= MemoryMappedFile.CreateFromFile(_handle, null, 0, MemoryMappedFileAccess.Read, HandleInheritability.None, leaveOpen: true);
        return MappedFileMemory.Map(_mapping, position, length).Memory;
    }

    private ReadOnlyMemory<byte> ReadRange(long position, int length)
    {
        CheckRange(position, length);
        if (_handle is null)
        {
            return _bytes.Slice((int)position, length);
        }

        var buffer = new byte[length];
        ReadInto(position, buffer);
        return buffer;
    }

    private void CheckRange(long position, long length)
    {
        if (position < 0 || length < 0 || position > FileLength - length)
        {
            throw new LanceFormatException(
                $"'{_name}' is corrupt or truncated: a range [{position}, {position + length}) lies outside the {FileLength}-byte file.");
        }
    }

    private void ReadInto(long position, Span<byte> destination)
    {
        CheckRange(position, destination.Length);
        if (_handle is null)
        {
            _bytes.Span.Slice((int)position, destination.Length).CopyTo(destination);
            return;
        }

        int done = 0;
        while (done < destination.Length)
        {
            int read = RandomAccess.Read(_handle, destination[done..], position + done);
            if (read == 0)
            {
                throw new LanceFormatException($"'{_name}' ended early while reading [{position}, {position + destination.Length}): it was truncated.");
            }

            done += read;
        }
    }

    // File positions and sizes are u64 on disk; anything beyond the file is corruption.
    private long Position(ulong value, string what) => value <= (ulong)FileLength
        ? (long)value
        : throw new LanceFormatException($"'{_name}' is corrupt or truncated: the {what} is said to start at byte {value} of a {FileLength}-byte file.");

    private int Size(ulong value, string what) => value <= (ulong)Math.Min(FileLength, System.Array.MaxLength)
        ? (int)value
        : throw new LanceFormatException($"'{_name}' is corrupt or truncated: the {what} is said to be {value} bytes long in a {FileLength}-byte file.");
}
