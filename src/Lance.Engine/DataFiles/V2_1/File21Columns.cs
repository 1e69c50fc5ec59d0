using Apache.Arrow;
using Google.Protobuf;
using Lance.Engine.Arrow;
using Lance.Engine.DataFiles.Encodings;
using Lance.Engine.DataFiles.Nested;
using Lance.Engine.Format;
using File2 = Lance.Engine.Format.Protos.File2;
using Protos = Lance.Engine.Format.Protos;

namespace Lance.Engine.DataFiles.V21;

/// <summary>
/// Reads the columns of a file of format 2.1 or 2.2 (or a later 2.x with the same layouts): every
/// leaf field has a column, in pre-order; pages are mini-block, full-zip, all-null or dictionary
/// layouts (<see cref="Encodings"/>), nested fields are rebuilt from their leaves' repetition and
/// definition levels (<see cref="Nested"/>). Flat vector pages are mapped or read in place by
/// <see cref="FlatPages"/>; other flat columns decode their pages in parallel.
/// </summary>
internal sealed class File21Columns : IDataFileColumns
{
    private readonly V2FileContainer _file;
    private readonly DataFileReadSettings _settings;
    private readonly FlatPages _flat;
    private readonly string _name;
    private readonly IReadOnlyList<(long Position, long Length)> _columns;
    private readonly IReadOnlyDictionary<int, int> _columnOfField;

    /// <summary>The columns of <paramref name="file"/>, read as <paramref name="settings"/> say.</summary>
    public File21Columns(V2FileContainer file, DataFileReadSettings settings)
    {
        _file = file;
        _settings = settings;
        _flat = new FlatPages(file, settings);
        _name = file.File.Name;
        _columns = file.Columns;
        _columnOfField = file.ColumnOfField;
    }

    /// <inheritdoc/>
    public LanceSchema Schema => _file.Schema;

    /// <summary>The file's name, for messages.</summary>
    internal string FileName => _name;

    /// <inheritdoc/>
    public long RowCount => _file.RowCount;

    private long InitialValueBytesCap => _file.InitialValueBytesCap;

    /// <inheritdoc/>
    public IArrowArray ReadColumn(LanceField field) => ReadColumnCore(field);

    /// <inheritdoc/>
    public IReadOnlyList<IArrowArray>? TryMapFlatColumn(LanceField field) => _flat.TryMapFlatColumn(field);

    /// <inheritdoc/>
    public FlatColumnLayout? TryFlatColumnLayout(LanceField field) => _flat.TryFlatColumnLayout(field);

    /// <inheritdoc/>
    public ColumnPages? TryOpenPages(LanceField field)
    {
        var type = LanceSchema.ToArrowType(field);
        if (!field.IsLeaf || type is Apache.Arrow.Types.DictionaryType || !_columnOfField.TryGetValue(field.Id, out int column))
        {
            return null;
        }

        var pages = ReadMetadata(column, field.Name).Pages;
        CheckPages(pages, field.Name, wholeColumn: true);
        return new ColumnPages(this, pages, type, field.Name, InitialValueBytesCap);
    }

    /// <summary>
    /// Decodes one page of a flat column into <paramref name="builder"/> (cleared first), its buffers read into
    /// <paramref name="readBuffer"/> (reused from page to page) rather than into fresh memory.
    /// </summary>
    internal void DecodePageInto(File2.ColumnMetadata.Types.Page page, string name, ColumnBuilder builder, PageReadBuffer readBuffer)
    {
        _settings.CancellationToken.ThrowIfCancellationRequested();
        builder.Clear();
        if (builder.IsVariable)
        {
            long bytes = (long)page.BufferSizes.Sum(size => (double)size);
            builder.ReserveValueBytes(Math.Min(bytes + bytes / 8, InitialValueBytesCap));
        }

        DecodePage21(page, name, builder, levels: null, dictionary: null, readBuffer);
        if ((ulong)builder.Length != page.Length)
        {
            throw new LanceFormatException($"'{_name}': a page of column '{name}' should hold {page.Length} rows but decodes to {builder.Length}.");
        }
    }

    private IArrowArray ReadColumnCore(LanceField field)
    {
        var type = LanceSchema.ToArrowType(field);
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

        if (_columnOfField.TryGetValue(field.Id, out int flatColumn) && _flat.TryMapFixedWidthColumn(flatColumn, type) is { } mapped)
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

    private File2.ColumnMetadata ReadMetadata(int column, string name)
    {
        if (column >= _columns.Count)
        {
            throw new LanceFormatException($"'{_name}' is corrupt: column '{name}' should be column {column} but the file has {_columns.Count}.");
        }

        var (position, length) = _columns[column];
        try
        {
            return File2.ColumnMetadata.Parser.ParseFrom(ReadRange(position, (int)length).Span);
        }
        catch (InvalidProtocolBufferException e)
        {
            throw new LanceFormatException($"'{_name}' is corrupt: the metadata of column '{name}' cannot be parsed.", e);
        }
    }

    // Each page lists as many buffer sizes as offsets, and the pages hold no more than the file's rows (with
    // wholeColumn, exactly its rows).
    private void CheckPages(IReadOnlyList<File2.ColumnMetadata.Types.Page> pages, string name, bool wholeColumn)
    {
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

        if (wholeColumn && rowsSoFar != RowCount)
        {
            throw new LanceFormatException($"'{_name}': column '{name}' holds {rowsSoFar} rows but the file has {RowCount}.");
        }
    }

    private void DecodeColumn(int column, string name, ColumnBuilder? builder, LevelCollector? levels, DictionaryPages.Reader? dictionary = null)
    {
        var metadata = ReadMetadata(column, name);
        if (builder is not null && levels is null && dictionary is null
            && (_flat.TryReadFlatPagesInParallel(metadata, builder, name) || TryDecodePagesInParallel(metadata, builder, name)))
        {
            return;
        }

        long rowsSoFar = 0;
        foreach (var page in metadata.Pages)
        {
            _settings.CancellationToken.ThrowIfCancellationRequested();
            if (page.BufferOffsets.Count != page.BufferSizes.Count)
            {
                throw new LanceFormatException($"'{_name}' is corrupt: a page of column '{name}' lists {page.BufferOffsets.Count} buffer offsets but {page.BufferSizes.Count} sizes.");
            }

            if (page.Length > (ulong)(RowCount - rowsSoFar))
            {
                throw new LanceFormatException($"'{_name}' is corrupt: the pages of column '{name}' hold more than the file's {RowCount} rows.");
            }

            rowsSoFar += (long)page.Length;
            DecodePage21(page, name, builder, levels, dictionary);
        }
    }

    // Decodes one page of a 2.1/2.2 column into the builder (or the dictionary reader).
    private void DecodePage21(
        File2.ColumnMetadata.Types.Page page, string name, ColumnBuilder? builder, LevelCollector? levels, DictionaryPages.Reader? dictionary, PageReadBuffer? readBuffer = null)
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

        if (builder is not null && levels is null && _flat.TryReadFlatValuesInPlace(page, layout, builder))
        {
            return;
        }

        // A page's buffers lie together: one read of the store for all of them.
        var ranges = new (long, int)[page.BufferOffsets.Count];
        for (int i = 0; i < ranges.Length; i++)
        {
            ranges[i] = (Position(page.BufferOffsets[i], $"a buffer of column '{name}'"), Size(page.BufferSizes[i], $"a buffer of column '{name}'"));
            _file.File.CheckRange(ranges[i].Item1, ranges[i].Item2);
        }

        var buffers = readBuffer is null ? _file.File.ReadRanges(ranges) : readBuffer.Read(_file.File, ranges);

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

    // The pages of a flat column decode independently: each into a builder of its own, on every core,
    // a window of pages at a time (so at most that many decoded pages wait at once), then appended in
    // order to the column's builder.
    private bool TryDecodePagesInParallel(File2.ColumnMetadata metadata, ColumnBuilder builder, string name)
    {
        var pages = metadata.Pages;
        if (pages.Count < 2 || Environment.ProcessorCount == 1 || pages.Sum(p => p.BufferSizes.Sum(size => (double)size)) < _settings.ParallelDecodeMinBytes)
        {
            return false;
        }

        CheckPages(pages, name, wholeColumn: false);

        // Each page's builder has room for about its buffers' bytes from the start; after the first window the column's
        // builder makes room for all pages at the rate seen so far (so it grows about once rather than doubling).
        int window = Environment.ProcessorCount * 2;
        for (int first = 0; first < pages.Count; first += window)
        {
            var decoded = new ColumnBuilder[Math.Min(window, pages.Count - first)];
            InParallel(decoded.Length, i =>
            {
                var page = pages[first + i];
                var part = builder.ForPage((long)page.Length, builder.IsVariable ? (long)page.BufferSizes.Sum(size => (double)size) : 0);
                DecodePage21(page, name, part, levels: null, dictionary: null);
                decoded[i] = part;
            });
            if (first == 0 && decoded.Length < pages.Count)
            {
                long bytes = decoded.Sum(part => part.ValueByteCount);
                builder.ReserveValueBytes(bytes / decoded.Length * pages.Count * 17 / 16);
            }

            foreach (var part in decoded)
            {
                builder.AppendBuilder(part);
            }
        }

        return true;
    }

    // Parallel.For, throwing what the body threw (a LanceFormatException, say) rather than an AggregateException.
    internal static void InParallel(int count, Action<int> body) => ParallelLoops.For(0, count, body);

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

    /// <summary>
    /// Describes each page of a field's column, e.g. <c>MiniBlock(Flat(64), nulls)</c> (with
    /// <c>, large chunks</c> for format 2.2's 32-bit chunk sizes) or
    /// <c>FullZip(FixedSizeList(384, Flat(32)))</c>: for diagnostics and tests of what was written.
    /// </summary>
    public IReadOnlyList<string> DescribePages(LanceField field)
    {
        if (!_columnOfField.TryGetValue(field.Id, out int column))
        {
            return [];
        }

        var (position, length) = _columns[column];
        var metadata = File2.ColumnMetadata.Parser.ParseFrom(ReadRange(position, checked((int)length)).Span);
        return metadata.Pages.Select(page =>
        {
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

    private static string Describe(Protos.Encodings21.CompressiveEncoding? encoding) => encoding?.CompressionCase switch
    {
        Protos.Encodings21.CompressiveEncoding.CompressionOneofCase.Flat => $"Flat({encoding.Flat.BitsPerValue})",
        Protos.Encodings21.CompressiveEncoding.CompressionOneofCase.Variable => $"Variable({Describe(encoding.Variable.Offsets)})",
        Protos.Encodings21.CompressiveEncoding.CompressionOneofCase.FixedSizeList =>
            $"FixedSizeList({encoding.FixedSizeList.ItemsPerValue}, {Describe(encoding.FixedSizeList.Values)})",
        _ => ValueEncoding.Name(encoding),
    };

    private ReadOnlyMemory<byte> ReadRange(long position, int length) => _file.File.Read(position, length);

    private long Position(ulong value, string what) => _file.File.Position(value, what);

    private int Size(ulong value, string what) => _file.File.Size(value, what);
}
