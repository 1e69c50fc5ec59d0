using System.Buffers.Binary;
using Google.Protobuf;
using Lance.Engine.Format;
using File2 = Lance.Engine.Format.Protos.File2;
using PbFile = Lance.Engine.Format.Protos.File;

namespace Lance.Engine.DataFiles;

/// <summary>
/// What files of format 2.0 and 2.1/2.2 share around their pages: the 40-byte footer, the column
/// metadata offset table, global buffer 0 (the schema and row count) and one <c>ColumnMetadata</c>
/// per column. The two versions differ in their page encodings (read by their own
/// <see cref="IDataFileColumns"/>) and in which fields have a column.
/// </summary>
internal sealed class V2FileContainer
{
    private readonly (long Position, long Length)[] _columns;
    private readonly Dictionary<int, int> _columnOfField = [];

    /// <summary>Reads the tables and schema the footer points to.</summary>
    /// <param name="file">The file.</param>
    /// <param name="footer">Its last 40 bytes.</param>
    /// <param name="everyFieldHasColumn">
    /// True for 2.0, where every field has a column, parents included; false for 2.1, where every
    /// leaf field has one, in pre-order, and parents (structs, lists) none.
    /// </param>
    /// <exception cref="LanceFormatException">The file is corrupt or truncated.</exception>
    public V2FileContainer(DataFileBytes file, ReadOnlySpan<byte> footer, bool everyFieldHasColumn)
    {
        File = file;
        string name = file.Name;
        long length = file.Length;
        long columnTablePosition = file.Position(BinaryPrimitives.ReadUInt64LittleEndian(footer[8..]), "column offset table");
        long globalTablePosition = file.Position(BinaryPrimitives.ReadUInt64LittleEndian(footer[16..]), "global buffer offset table");
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
        var globalTable = file.Read(globalTablePosition, 16).Span;
        var descriptorBytes = file.Read(
            file.Position(BinaryPrimitives.ReadUInt64LittleEndian(globalTable), "schema"),
            file.Size(BinaryPrimitives.ReadUInt64LittleEndian(globalTable[8..]), "schema"));
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

        var columnTable = file.Read(columnTablePosition, columnCount * 16).Span;
        _columns = new (long, long)[columnCount];
        for (int i = 0; i < columnCount; i++)
        {
            _columns[i] = (file.Position(BinaryPrimitives.ReadUInt64LittleEndian(columnTable[(i * 16)..]), $"column {i}'s metadata"),
                file.Size(BinaryPrimitives.ReadUInt64LittleEndian(columnTable[(i * 16 + 8)..]), $"column {i}'s metadata"));
        }

        int column = 0;
        foreach (var field in Schema.AllFields)
        {
            if (field.IsLeaf || everyFieldHasColumn)
            {
                _columnOfField[field.Id] = column++;
            }
        }

        if (column > columnCount)
        {
            throw new LanceFormatException($"'{name}' is corrupt: its schema has {column} leaf fields but the file has only {columnCount} columns.");
        }
    }

    /// <summary>The file's bytes.</summary>
    public DataFileBytes File { get; }

    /// <summary>The file's schema (from its global buffer 0).</summary>
    public LanceSchema Schema { get; }

    /// <summary>The number of rows in the file.</summary>
    public long RowCount { get; }

    /// <summary>The number of columns the file holds.</summary>
    public int ColumnCount => _columns.Length;

    /// <summary>
    /// A starting capacity for a column's value bytes. Values are stored uncompressed or
    /// compressed, so a column rarely decodes to much more than the file; buffers still grow past
    /// this when a column really is larger.
    /// </summary>
    public long InitialValueBytesCap => Math.Max(1 << 16, File.Length * 4);

    /// <summary>The column of each field that has one, by field id.</summary>
    public IReadOnlyDictionary<int, int> ColumnOfField => _columnOfField;

    /// <summary>Where each column's metadata lies (checked against the file when read).</summary>
    public IReadOnlyList<(long Position, long Length)> Columns => _columns;

    /// <summary>The column that holds field <paramref name="fieldId"/>, if the file has one.</summary>
    public bool TryGetColumn(int fieldId, out int column) => _columnOfField.TryGetValue(fieldId, out column);

    /// <summary>Whether the file has a column for field <paramref name="fieldId"/>.</summary>
    public bool HasColumn(int fieldId) => _columnOfField.ContainsKey(fieldId);

    /// <summary>Reads and parses column <paramref name="column"/>'s metadata.</summary>
    /// <exception cref="InvalidProtocolBufferException">The metadata cannot be parsed (callers word the error).</exception>
    public File2.ColumnMetadata ParseColumnMetadata(int column)
    {
        var (position, length) = _columns[column];
        return File2.ColumnMetadata.Parser.ParseFrom(File.Read(position, (int)length).Span);
    }

    /// <summary>Reads and parses the metadata of column <paramref name="column"/>, holding <paramref name="name"/>.</summary>
    /// <exception cref="LanceFormatException">The metadata cannot be parsed.</exception>
    public File2.ColumnMetadata ReadColumnMetadata(int column, string name)
    {
        try
        {
            return ParseColumnMetadata(column);
        }
        catch (InvalidProtocolBufferException e)
        {
            throw new LanceFormatException($"'{File.Name}' is corrupt: the metadata of column '{name}' cannot be parsed.", e);
        }
    }

    /// <summary>Reads every buffer of one page of column <paramref name="name"/>.</summary>
    public ReadOnlyMemory<byte>[] ReadPageBuffers(File2.ColumnMetadata.Types.Page page, string name)
    {
        var ranges = new (long, int)[page.BufferOffsets.Count];
        for (int i = 0; i < ranges.Length; i++)
        {
            ranges[i] = (File.Position(page.BufferOffsets[i], $"a buffer of column '{name}'"), File.Size(page.BufferSizes[i], $"a buffer of column '{name}'"));
            File.CheckRange(ranges[i].Item1, ranges[i].Item2);
        }

        return File.ReadRanges(ranges);
    }
}
