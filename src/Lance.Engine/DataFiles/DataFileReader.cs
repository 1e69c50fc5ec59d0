using System.Buffers.Binary;
using Apache.Arrow;
using Lance.Engine.Format;
using Lance.Engine.Storage;

namespace Lance.Engine.DataFiles;

/// <summary>
/// Reads a Lance data file of any version this engine knows (legacy 0.1/0.2, 2.0, 2.1, 2.2) into
/// Arrow. Opening reads the footer, picks the file's <see cref="IFileFormat"/> once from the
/// version it records (<see cref="FileFormats.ForFile"/>) and reads only the metadata; each
/// column's pages are read when that column is asked for, so projecting a few columns of a wide
/// file reads only those. Every byte comes through the storage seam (<see cref="IObjectReader"/>),
/// mapped where the store can and the caller asks for it.
/// </summary>
internal sealed class DataFileReader : IDisposable
{
    private const int FooterLength = 40;

    private readonly DataFileBytes _file;
    private readonly DataFileReadSettings _settings = new();
    private readonly IDataFileColumns _columns;

    private DataFileReader(DataFileBytes file)
    {
        _file = file;
        FileLength = file.Length;
        var footer = file.Read(file.Length - FooterLength, FooterLength).Span;
        if (!footer[36..].SequenceEqual(ManifestCodec.Magic))
        {
            throw new LanceFormatException(
                $"'{file.Name}' is not a Lance data file, or is truncated: its last 4 bytes are not the magic \"LANC\" (file length {file.Length} bytes).");
        }

        MajorVersion = BinaryPrimitives.ReadUInt16LittleEndian(footer[32..]);
        MinorVersion = BinaryPrimitives.ReadUInt16LittleEndian(footer[34..]);
        Format = FileFormats.ForFile(MajorVersion, MinorVersion, file.Name);
        _columns = Format.OpenReader(file, footer, _settings);
    }

    /// <summary>The format of the file's version, which reads it.</summary>
    public IFileFormat Format { get; }

    /// <summary>The file's schema.</summary>
    public LanceSchema Schema => _columns.Schema;

    /// <summary>The number of rows in the file.</summary>
    public long RowCount => _columns.RowCount;

    /// <summary>The file's size in bytes.</summary>
    public long FileLength { get; }

    /// <summary>Whether the file is of the legacy format (footer version 0.1 or 0.2).</summary>
    public bool IsLegacy => Format.Version.IsLegacy;

    /// <summary>Whether the file is of format 2.0 (footer version 0.3).</summary>
    public bool IsFormat20 => Format.Version == LanceFileVersion.V2_0;

    /// <summary>The major version the file's footer records (0 for legacy and 2.0 files, else 2).</summary>
    public int MajorVersion { get; }

    /// <summary>The minor version the file's footer records (1 or 2 for legacy files, 3 for 2.0, else the 2.x minor).</summary>
    public int MinorVersion { get; }

    /// <summary>Below this many bytes a column is read rather than mapped (mapping has a fixed cost).</summary>
    public const int MinMappedColumnBytes = V21.FlatPages.MinMappedColumnBytes;

    /// <summary>Checked before each column and each page read, so a long read stops within a page of being cancelled.</summary>
    public CancellationToken CancellationToken
    {
        get => _settings.CancellationToken;
        set => _settings.CancellationToken = value;
    }

    /// <summary>
    /// Whether fixed-width columns stored flat without nulls (vector columns) are handed out as
    /// memory-mapped views of the file instead of being read into managed memory (off by default).
    /// Keep such an array reachable while using spans over its values: collecting it unmaps them.
    /// Not on Windows, where a mapped file cannot be deleted.
    /// </summary>
    public bool MapFlatColumns
    {
        get => _settings.MapFlatColumns;
        set => _settings.MapFlatColumns = value;
    }

    /// <summary>
    /// Below this many bytes of page buffers a column's pages are decoded one after the other rather
    /// than in parallel (1 MiB; tests lower it to decode small columns in parallel).
    /// </summary>
    internal long ParallelDecodeMinBytes
    {
        get => _settings.ParallelDecodeMinBytes;
        set => _settings.ParallelDecodeMinBytes = value;
    }

    /// <summary>Whether reads are requests over the network (see <see cref="DataFileReadSettings.RemoteReads"/>).</summary>
    internal bool RemoteReads
    {
        get => _settings.RemoteReads;
        set => _settings.RemoteReads = value;
    }

    /// <summary>Opens a data file on disk (kept open until disposed), through a <see cref="LocalObjectStore"/> on its folder.</summary>
    /// <exception cref="LanceFormatException">The file is not a Lance data file this engine reads.</exception>
    public static DataFileReader Open(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var full = System.IO.Path.GetFullPath(path);
        var store = new LocalObjectStore(System.IO.Path.GetDirectoryName(full)!);
        return Open(store.OpenReadAsync(System.IO.Path.GetFileName(full)).AsTask().GetAwaiter().GetResult(), path, leaveOpen: false);
    }

    /// <summary>Opens the data file at <paramref name="key"/> of <paramref name="store"/> (kept open until disposed).</summary>
    /// <exception cref="LanceFormatException">The object is not a Lance data file this engine reads.</exception>
    /// <exception cref="FileNotFoundException">The store has no object of that key.</exception>
    public static async ValueTask<DataFileReader> OpenAsync(IObjectStore store, string key, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentException.ThrowIfNullOrEmpty(key);
        var reader = await store.OpenReadAsync(key, cancellationToken).ConfigureAwait(false);
        return Open(reader, $"{store.Location.TrimEnd('/', System.IO.Path.DirectorySeparatorChar)}/{key}", leaveOpen: false);
    }

    /// <summary>Reads a data file through an open <paramref name="reader"/>, named <paramref name="name"/> in messages.</summary>
    /// <param name="reader">The file's ranged reads.</param>
    /// <param name="name">The file's path or key, for messages.</param>
    /// <param name="leaveOpen">Whether disposing the data file reader leaves <paramref name="reader"/> open.</param>
    /// <exception cref="LanceFormatException">The object is not a Lance data file this engine reads.</exception>
    public static DataFileReader Open(IObjectReader reader, string name, bool leaveOpen)
    {
        ArgumentNullException.ThrowIfNull(reader);
        var file = new DataFileBytes(reader, name, ownsReader: !leaveOpen);
        try
        {
            if (file.Length < FooterLength)
            {
                throw new LanceFormatException($"'{name}' is too short ({file.Length} bytes) to be a Lance data file.");
            }

            return new DataFileReader(file);
        }
        catch (Exception e) when (CorruptInput.IsCorruption(e))
        {
            file.Dispose();
            throw CorruptInput.Wrap(name, e);
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    /// <summary>Reads a data file held in memory.</summary>
    /// <exception cref="LanceFormatException">The bytes are not a Lance data file this engine reads.</exception>
    public static DataFileReader FromBytes(ReadOnlyMemory<byte> bytes, string name = "(in memory)")
    {
        if (bytes.Length < FooterLength)
        {
            throw new LanceFormatException($"'{name}' is too short ({bytes.Length} bytes) to be a Lance data file.");
        }

        try
        {
            return new DataFileReader(new DataFileBytes(bytes, name));
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
                    $"Column '{name}' does not exist in '{FileName}'. Columns: {string.Join(", ", schema.Fields.Select(f => f.Name))}.")).ToList();
        var arrays = fields.Select(ReadColumn).ToList();
        try
        {
            return new RecordBatch(schema.ToArrow(fields), arrays, checked((int)RowCount));
        }
        catch (Exception e) when (CorruptInput.IsCorruption(e))
        {
            throw CorruptInput.Wrap(FileName, e);
        }
    }

    /// <summary>Reads the column of one top-level field (matched by field id; nested fields from their leaves) as an Arrow array.</summary>
    /// <exception cref="LanceFormatException">The file uses an encoding or type this engine cannot read, or is corrupt.</exception>
    public IArrowArray ReadColumn(LanceField field)
    {
        _settings.CancellationToken.ThrowIfCancellationRequested();
        ArgumentNullException.ThrowIfNull(field);
        if (field.LogicalType == "null")
        {
            // Arrow's Null type holds no values: whatever pages a version keeps for it (an all-null
            // page in 2.x, a page-table entry of only a length in legacy files), it reads as nulls.
            return new NullArray(checked((int)RowCount));
        }

        try
        {
            return _columns.ReadColumn(field);
        }
        catch (Exception e) when (CorruptInput.IsCorruption(e))
        {
            throw CorruptInput.Wrap(FileName, e, field.Name);
        }
    }

    /// <summary>
    /// The pages of a flat field's column, to be decoded one at a time on any thread (see <see cref="V21.ColumnPages"/>), so a
    /// reader that goes through a large column once need not hold it whole; null when the column is nested,
    /// dictionary-encoded or absent, or the file's version reads columns whole only (then <see cref="ReadColumn"/> reads it).
    /// The pages read through this reader: dispose them first, or hand this reader to them (<see cref="V21.ColumnPages.Owner"/>).
    /// </summary>
    /// <exception cref="LanceFormatException">The file is corrupt.</exception>
    public V21.ColumnPages? TryOpenPages(LanceField field)
    {
        ArgumentNullException.ThrowIfNull(field);
        try
        {
            return _columns.TryOpenPages(field);
        }
        catch (Exception e) when (CorruptInput.IsCorruption(e))
        {
            throw CorruptInput.Wrap(FileName, e, field.Name);
        }
    }

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
            return _columns.TryMapFlatColumn(field);
        }
        catch (Exception e) when (CorruptInput.IsCorruption(e))
        {
            throw CorruptInput.Wrap(FileName, e, field.Name);
        }
    }

    /// <summary>
    /// Where a fixed-width column with no nulls stored as flat pages (a vector column) lies in the
    /// file, so ranges of its rows can be read with <see cref="ReadInto"/> instead of decoding the
    /// whole column; null when the column is stored otherwise or the file's version keeps no such pages.
    /// </summary>
    /// <exception cref="LanceFormatException">The file is corrupt.</exception>
    public FlatColumnLayout? TryFlatColumnLayout(LanceField field)
    {
        ArgumentNullException.ThrowIfNull(field);
        try
        {
            return _columns.TryFlatColumnLayout(field);
        }
        catch (Exception e) when (CorruptInput.IsCorruption(e))
        {
            throw CorruptInput.Wrap(FileName, e, field.Name);
        }
    }

    /// <summary>Reads the file's bytes from <paramref name="position"/> into all of <paramref name="destination"/> (safe to call from several threads at once).</summary>
    /// <exception cref="LanceFormatException">The range lies outside the file.</exception>
    public void ReadInto(long position, Span<byte> destination) => _file.ReadInto(position, destination);

    /// <summary>
    /// Fills each destination with the file's bytes from its position, the reads issued at once and
    /// awaited together (see <see cref="DataFileBytes.ReadConcurrently"/>): for a remote store, whose
    /// reads are requests, instead of one blocked thread per read.
    /// </summary>
    /// <exception cref="LanceFormatException">A range runs past the end of the file.</exception>
    internal void ReadConcurrently(IReadOnlyList<(long Position, Memory<byte> Destination)> reads, CancellationToken cancellationToken)
        => _file.ReadConcurrently(reads, cancellationToken);

    /// <summary>
    /// Describes each page of a field's column, e.g. <c>MiniBlock(Flat(64), nulls)</c> (with
    /// <c>, large chunks</c> for format 2.2's 32-bit chunk sizes) or
    /// <c>FullZip(FixedSizeList(384, Flat(32)))</c>: for diagnostics and tests of what was written.
    /// </summary>
    public IReadOnlyList<string> DescribePages(LanceField field)
    {
        ArgumentNullException.ThrowIfNull(field);
        return _columns.DescribePages(field);
    }

    /// <inheritdoc/>
    public void Dispose() => _file.Dispose();

    private string FileName => _file.Name;
}
