using Apache.Arrow;
using Google.Protobuf;
using Lance.Engine.DataFiles.Encodings;
using Lance.Engine.Format;
using Lance.Engine.Storage;
using File2 = Lance.Engine.Format.Protos.File2;
using Protos = Lance.Engine.Format.Protos;

namespace Lance.Engine.DataFiles.V21;

/// <summary>
/// The fast paths for columns of fixed-width values with no nulls whose 2.1/2.2 pages are full-zip
/// flat buffers (vector columns as LanceDB and this engine write them): on disk such a page is
/// exactly its Arrow values, so it is mapped (a view of the file through the store's
/// <see cref="Storage.IObjectReader.TryMap"/>, nothing copied) or read straight into the column's
/// one Arrow buffer, in pieces on every core.
/// </summary>
internal sealed class FlatPages
{
    /// <summary>
    /// Below this many bytes a column is read rather than mapped (mapping has a fixed cost).
    /// </summary>
    public const int MinMappedColumnBytes = 1 << 20;

    /// <summary>The most bytes one mapped view of <see cref="TryMapFlatColumn"/> covers (a run longer than this is split).</summary>
    public const int MaxMappedArrayBytes = 1 << 30;

    /// <summary>The bytes one thread reads at a time when a column's flat pages are read in parallel.</summary>
    private const int ParallelReadPieceBytes = 8 << 20;

    private readonly DataFileBytes _file;
    private readonly DataFileReadSettings _settings;
    private readonly string _name;
    private readonly IReadOnlyList<(long Position, long Length)> _columns;
    private readonly IReadOnlyDictionary<int, int> _columnOfField;
    private readonly V2FileContainer _container;

    /// <summary>The flat pages of <paramref name="container"/>'s columns.</summary>
    public FlatPages(V2FileContainer container, DataFileReadSettings settings)
    {
        _container = container;
        _file = container.File;
        _settings = settings;
        _name = _file.Name;
        _columns = container.Columns;
        _columnOfField = container.ColumnOfField;
    }

    private long RowCount => _container.RowCount;

    private long FileLength => _file.Length;

    /// <summary>
    /// Maps a fixed-width column with no nulls whose pages are all full-zip flat buffers as arrays
    /// that are views of the file (see <see cref="DataFileReader.TryMapFlatColumn"/>).
    /// </summary>
    /// <returns>The arrays, or null when the column is stored otherwise, the store cannot map, or on Windows.</returns>
    public IReadOnlyList<IArrowArray>? TryMapFlatColumn(LanceField field) => TryMapFlatColumnCore(field);

    /// <summary>
    /// Where a fixed-width column with no nulls whose pages are all full-zip flat buffers lies in the
    /// file (any size, on every platform: nothing is mapped); null when it is stored otherwise.
    /// </summary>
    public FlatColumnLayout? TryFlatColumnLayout(LanceField field)
    {
        if (!field.IsLeaf || !_columnOfField.TryGetValue(field.Id, out int column))
        {
            return null;
        }

        var type = LanceSchema.ToArrowType(field);
        long width = LanceLogicalTypes.FixedWidthBits(type) / 8;
        if (width is <= 0 or > int.MaxValue || FlatPageRuns(column, type) is not { } runs)
        {
            return null;
        }

        return new FlatColumnLayout(type, (int)width, runs);
    }

    private List<IArrowArray>? TryMapFlatColumnCore(LanceField field)
    {
        if (!field.IsLeaf || !_columnOfField.TryGetValue(field.Id, out int column) || (!_file.IsInMemory && OperatingSystem.IsWindows()))
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
                if (MappedArray(type, position + (done * width), (int)Math.Min(rowsPerArray, rows - done), width) is not { } array)
                {
                    return null; // the store cannot map: the column is read instead
                }

                arrays.Add(array);
            }
        }

        return arrays;
    }

    // A fixed-width column with no nulls whose pages are all full-zip flat buffers lying back to back
    // (vectors of a multiple of 64 bytes always do) is, on disk, exactly its Arrow values buffer:
    // map it (or slice the in-memory file) instead of copying it.
    public IArrowArray? TryMapFixedWidthColumn(int column, Apache.Arrow.Types.IArrowType type)
    {
        long width = LanceLogicalTypes.FixedWidthBits(type) / 8;
        long total = RowCount * width;
        if (!_settings.MapFlatColumns || OperatingSystem.IsWindows() || total < MinMappedColumnBytes || total > int.MaxValue
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
        if (bits % 8 != 0 || bits == 0 || type is Apache.Arrow.Types.DictionaryType || column >= _columns.Count)
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
    // from `position`: a view of the mapped file, or a slice of the in-memory one; null where the
    // store cannot map.
    private IArrowArray? MappedArray(Apache.Arrow.Types.IArrowType type, long position, int rows, long width)
    {
        int bytes = checked((int)(rows * width));
        if (_file.TryMap(position, bytes) is not { } memory)
        {
            return null;
        }

        var values = new ArrowBuffer(memory);
        var data = type is Apache.Arrow.Types.FixedSizeListType fsl
            ? new ArrayData(type, rows, 0, 0, [ArrowBuffer.Empty], [new ArrayData(fsl.ValueDataType, rows * fsl.ListSize, 0, 0, [ArrowBuffer.Empty, values])])
            : new ArrayData(type, rows, 0, 0, [ArrowBuffer.Empty, values]);
        return ArrowArrayFactory.BuildArray(data);
    }

    // A column whose pages are all full-zip flat buffers (a vector column that could not be mapped:
    // its pages do not lie back to back, or the caller wants it in memory) is read straight into its
    // one Arrow buffer, page by page and in pieces on every core: the only copy, and no page buffers.
    public bool TryReadFlatPagesInParallel(File2.ColumnMetadata metadata, ColumnBuilder builder, string name)
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

        // The buffer is fresh and every byte of it is written now: huge pages where allowed. Read from a local file, each
        // piece is faulted in with one call just before it is read; from a remote store, as its response is copied in.
        HugePages.Advise(destination);
        if (_settings.RemoteReads)
        {
            _file.ReadConcurrently(pieces.Select(p => (p.Position, destination.Slice(p.Destination, p.Bytes))).ToList(), _settings.CancellationToken);
            return true;
        }

        File21Columns.InParallel(pieces.Count, i =>
        {
            var (position, at, bytes) = pieces[i];
            HugePages.Populate(destination.Slice(at, bytes));
            ReadInto(position, destination.Span.Slice(at, bytes));
        });
        return true;
    }

    // A full-zip page of fixed-width values with no nulls (a vector page) is a flat array on disk:
    // read it straight into the column's Arrow buffer, the only copy.
    public bool TryReadFlatValuesInPlace(File2.ColumnMetadata.Types.Page page, Protos.Encodings21.PageLayout layout, ColumnBuilder builder)
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

    private ReadOnlyMemory<byte> ReadRange(long position, int length) => _file.Read(position, length);

    private void ReadInto(long position, Span<byte> destination) => _file.ReadInto(position, destination);

    private long Position(ulong value, string what) => _file.Position(value, what);
}
