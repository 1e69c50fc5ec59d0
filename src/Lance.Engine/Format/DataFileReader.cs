using System.Buffers.Binary;
using Apache.Arrow;
using Google.Protobuf;
using Lance.Engine.Format.Encodings;
using Microsoft.Win32.SafeHandles;
using File2 = Lance.Engine.Format.Protos.File2;
using PbFile = Lance.Engine.Format.Protos.File;

namespace Lance.Engine.Format;

/// <summary>
/// Reads a Lance data file of format 2.1 into Arrow. Only the footer and metadata are read when it
/// opens; each column's page buffers are read when that column is asked for, so projecting a few
/// columns of a wide file reads only those.
/// </summary>
internal sealed class DataFileReader : IDisposable
{
    private const int FooterLength = 40;

    private readonly SafeFileHandle? _handle;
    private readonly ReadOnlyMemory<byte> _bytes;
    private readonly string _name;
    private readonly (long Position, long Length)[] _columns;
    private readonly Dictionary<int, int> _columnOfField = [];

    private DataFileReader(SafeFileHandle? handle, ReadOnlyMemory<byte> bytes, long length, string name)
    {
        _handle = handle;
        _bytes = bytes;
        _name = name;
        FileLength = length;

        var footer = ReadRange(length - FooterLength, FooterLength).Span;
        if (!footer[36..].SequenceEqual(ManifestCodec.Magic))
        {
            throw new LanceFormatException($"'{name}' is not a Lance data file: it does not end with \"LANC\".");
        }

        long columnTablePosition = (long)BinaryPrimitives.ReadUInt64LittleEndian(footer[8..]);
        long globalTablePosition = (long)BinaryPrimitives.ReadUInt64LittleEndian(footer[16..]);
        int globalBuffers = (int)BinaryPrimitives.ReadUInt32LittleEndian(footer[24..]);
        int columnCount = (int)BinaryPrimitives.ReadUInt32LittleEndian(footer[28..]);
        MajorVersion = BinaryPrimitives.ReadUInt16LittleEndian(footer[32..]);
        MinorVersion = BinaryPrimitives.ReadUInt16LittleEndian(footer[34..]);
        // Footer version 0.3 is file format 2.0 (LanceDB's "stable" storage version before 2.1).
        IsFormat20 = MajorVersion == 0 && MinorVersion == 3;
        if (!IsFormat20 && (MajorVersion != 2 || MinorVersion < 1))
        {
            throw new LanceFormatException(MajorVersion == 0
                ? $"'{name}' uses the legacy Lance file format (v1, footer version 0.{MinorVersion}), which LanceDB writes for storage version \"legacy\"; Lance.Engine reads file formats 2.0, 2.1 and 2.2 only."
                : $"'{name}' uses Lance file format {MajorVersion}.{MinorVersion}; Lance.Engine reads file formats 2.0, 2.1 and 2.2 (2.x layouts it knows).");
        }

        if (globalBuffers < 1)
        {
            throw new LanceFormatException($"'{name}' has no global buffer, so no schema.");
        }

        var globalTable = ReadRange(globalTablePosition, 16).Span;
        var descriptorBytes = ReadRange(
            (long)BinaryPrimitives.ReadUInt64LittleEndian(globalTable), (int)BinaryPrimitives.ReadUInt64LittleEndian(globalTable[8..]));
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
        RowCount = (long)descriptor.Length;

        var columnTable = ReadRange(columnTablePosition, checked(columnCount * 16)).Span;
        _columns = new (long, long)[columnCount];
        for (int i = 0; i < columnCount; i++)
        {
            _columns[i] = ((long)BinaryPrimitives.ReadUInt64LittleEndian(columnTable[(i * 16)..]),
                (long)BinaryPrimitives.ReadUInt64LittleEndian(columnTable[(i * 16 + 8)..]));
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
    }

    /// <summary>The file's schema (from its global buffer 0).</summary>
    public LanceSchema Schema { get; }

    /// <summary>The number of rows in the file.</summary>
    public long RowCount { get; }

    /// <summary>The file's size in bytes.</summary>
    public long FileLength { get; }

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
    public static RecordBatch Read(string path, LanceSchema? schema = null, IReadOnlyList<string>? columns = null)
    {
        using var reader = Open(path);
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

    /// <summary>Reads the column of one leaf field (matched by field id) as an Arrow array.</summary>
    /// <exception cref="LanceFormatException">The file uses an encoding or type this engine cannot read.</exception>
    public IArrowArray ReadColumn(LanceField field)
    {
        ArgumentNullException.ThrowIfNull(field);
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
        var type = LanceSchema.ToArrowType(field);
        // The builder grows as pages are decoded; a corrupt row count must not size it up front.
        var builder = new ColumnBuilder(type, Math.Min(RowCount, 4096 + FileLength * 8));
        if (!_columnOfField.TryGetValue(field.Id, out int column))
        {
            if (!field.Nullable)
            {
                throw new LanceFormatException($"'{_name}' has no column for the non-nullable field '{field.Name}' (id {field.Id}).");
            }

            builder.AppendNulls(checked((int)RowCount));
            return builder.Build();
        }

        var (position, length) = _columns[column];
        var metadata = File2.ColumnMetadata.Parser.ParseFrom(ReadRange(position, checked((int)length)).Span);
        ulong pageRows = 0;
        foreach (var page in metadata.Pages)
        {
            pageRows += page.Length;
            if (page.BufferOffsets.Count != page.BufferSizes.Count || pageRows > (ulong)RowCount)
            {
                throw new LanceFormatException(
                    $"'{_name}' is corrupt: column '{field.Name}' has pages of more than the file's {RowCount} rows or mismatched buffer tables.");
            }
        }

        foreach (var page in metadata.Pages)
        {
            var buffers = new ReadOnlyMemory<byte>[page.BufferOffsets.Count];
            for (int i = 0; i < buffers.Length; i++)
            {
                buffers[i] = ReadRange((long)page.BufferOffsets[i], checked((int)page.BufferSizes[i]));
            }

            if (IsFormat20)
            {
                V20.ArrayEncodingDecoder.Decode(page.Encoding, buffers, (long)page.Length, builder, field.Name);
                continue;
            }

            var layout = EncodingProtos.ReadPageLayout(page.Encoding, field.Name);
            switch (layout.LayoutCase)
            {
                case Protos.Encodings21.PageLayout.LayoutOneofCase.MiniBlockLayout:
                    MiniBlockDecoder.Decode(layout.MiniBlockLayout, buffers, (long)page.Length, builder, field.Name);
                    break;
                case Protos.Encodings21.PageLayout.LayoutOneofCase.FullZipLayout:
                    FullZipDecoder.Decode(layout.FullZipLayout, buffers, (long)page.Length, builder, field.Name);
                    break;
                case Protos.Encodings21.PageLayout.LayoutOneofCase.AllNullLayout when layout.AllNullLayout.HasConstantValue:
                    Compression.ConstantPage.Decode(layout.AllNullLayout, (long)page.Length, builder, field.Name);
                    break;
                case Protos.Encodings21.PageLayout.LayoutOneofCase.AllNullLayout:
                    builder.AppendNulls(checked((int)page.Length));
                    break;
                default:
                    throw ValueEncoding.Unsupported(field.Name, $"{layout.LayoutCase} page layout");
            }
        }

        if (builder.Length != RowCount)
        {
            throw new LanceFormatException($"'{_name}': column '{field.Name}' holds {builder.Length} rows but the file has {RowCount}.");
        }

        return builder.Build();
    }

    /// <summary>
    /// Describes each page of a field's column, e.g. <c>MiniBlock(Flat(64), nulls)</c> or
    /// <c>FullZip(FixedSizeList(384, Flat(32)))</c>: for diagnostics and tests of what was written.
    /// </summary>
    public IReadOnlyList<string> DescribePages(LanceField field)
    {
        ArgumentNullException.ThrowIfNull(field);
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
                    $"MiniBlock({Describe(layout.MiniBlockLayout.ValueCompression)}{(layout.MiniBlockLayout.DefCompression is null ? "" : ", nulls")})",
                Protos.Encodings21.PageLayout.LayoutOneofCase.FullZipLayout =>
                    $"FullZip({Describe(layout.FullZipLayout.ValueCompression)}{(layout.FullZipLayout.BitsDef == 0 ? "" : ", nulls")})",
                _ => layout.LayoutCase.ToString(),
            };
        }).ToList();
    }

    /// <inheritdoc/>
    public void Dispose() => _handle?.Dispose();

    private static string Describe(Protos.Encodings21.CompressiveEncoding? encoding) => encoding?.CompressionCase switch
    {
        Protos.Encodings21.CompressiveEncoding.CompressionOneofCase.Flat => $"Flat({encoding.Flat.BitsPerValue})",
        Protos.Encodings21.CompressiveEncoding.CompressionOneofCase.Variable => $"Variable({Describe(encoding.Variable.Offsets)})",
        Protos.Encodings21.CompressiveEncoding.CompressionOneofCase.FixedSizeList =>
            $"FixedSizeList({encoding.FixedSizeList.ItemsPerValue}, {Describe(encoding.FixedSizeList.Values)})",
        _ => ValueEncoding.Name(encoding),
    };

    private ReadOnlyMemory<byte> ReadRange(long position, int length)
    {
        if (position < 0 || length < 0 || position + length > FileLength)
        {
            throw new LanceFormatException($"'{_name}' is corrupt: a range [{position}, {position + length}) lies outside the {FileLength}-byte file.");
        }

        if (_handle is null)
        {
            return _bytes.Slice((int)position, length);
        }

        var buffer = new byte[length];
        int done = 0;
        while (done < length)
        {
            int read = RandomAccess.Read(_handle, buffer.AsSpan(done), position + done);
            if (read == 0)
            {
                throw new LanceFormatException($"'{_name}' ended early while reading [{position}, {position + length}).");
            }

            done += read;
        }

        return buffer;
    }
}
