using Apache.Arrow;
using Apache.Arrow.Types;
using Lance.Engine.DataFiles.Encodings;
using Lance.Engine.DataFiles.Nested;
using Lance.Engine.Format;
using Enc21 = Lance.Engine.Format.Protos.Encodings21;
using File2 = Lance.Engine.Format.Protos.File2;

namespace Lance.Engine.DataFiles.V21;

/// <summary>
/// Writes one data file of format 2.1 or 2.2 as its rows arrive (see <see cref="DataFileWriter"/> for
/// the layouts). Each column keeps the rows of its unfinished page; a column is encoded once it holds
/// more than a page, and its full pages go to the output at once, so pages of different columns
/// interleave in the file (as in Lance's own files). Page boundaries are those of a whole-column plan.
/// </summary>
internal sealed class File21Writer : IDataFileWriter
{
    private readonly LanceSchema _schema;
    private readonly DataFileWriterOptions _options;
    private readonly CancellationToken _cancellationToken;
    private readonly FileSink _sink;
    private readonly List<PendingColumn> _columns = [];
    private readonly GatheredPage _page = new();
    private readonly PageSpool _spool = new();
    private PendingColumn? _widest; // its pages go straight to the file; the others' through the spool
    private bool _finished;

    /// <summary>Starts a file on <paramref name="output"/> (written from its current position, not closed).</summary>
    public File21Writer(Stream output, LanceSchema schema, DataFileWriterOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(schema);
        _schema = schema;
        _options = options;
        _cancellationToken = cancellationToken;
        _sink = new FileSink(output, cancellationToken);
        foreach (var field in schema.Fields)
        {
            var type = DataFileWriter.WritableType(field);
            if (type is NullType or DictionaryType || field.IsLeaf)
            {
                _columns.Add(new PendingColumn(field, type, null, options.MaxPageBytes));
                continue;
            }

            // A nested column: one column per leaf, in pre-order, each with its rep/def levels.
            foreach (var path in LeafPath.Of(field))
            {
                if (path.Fields.Any(f => f.LogicalType.StartsWith("dict:", StringComparison.Ordinal)))
                {
                    throw new LanceSchemaException($"Column '{path.Name}': dictionary-encoded values inside a list or struct cannot be written; use plain strings there.");
                }

                _columns.Add(new PendingColumn(field, type, path, options.MaxPageBytes));
            }
        }
    }

    /// <inheritdoc/>
    public long RowCount { get; private set; }

    /// <inheritdoc/>
    public void Append(RecordBatch batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        ObjectDisposedException.ThrowIf(_finished, this);
        _cancellationToken.ThrowIfCancellationRequested();
        if (batch.Length == 0)
        {
            return;
        }

        // Every column is checked before any of this batch's pages is written.
        var arrays = new IArrowArray[_schema.Fields.Count];
        for (int i = 0; i < arrays.Length; i++)
        {
            arrays[i] = DataFileWriter.CheckedColumn(_schema.Fields[i], batch);
        }

        int top = -1;
        LanceField? last = null;
        foreach (var column in _columns)
        {
            if (!ReferenceEquals(column.Field, last))
            {
                top++;
                last = column.Field;
            }

            column.Add(arrays[top]);
        }

        _widest ??= _columns.MaxBy(c => c.Bytes);
        foreach (var column in _columns)
        {
            if (column.Rows > _options.MaxPageRows || column.Bytes > column.DrainAt)
            {
                Drain(column, final: false);
            }
        }

        RowCount += batch.Length;
    }

    /// <summary>
    /// The first row of the top-level field <paramref name="name"/> that the writer still holds: every array of the rows
    /// before it is written and no longer referenced by the writer, so a caller may reuse the buffers under them.
    /// <see cref="RowCount"/> when it holds none (or there is no such field).
    /// </summary>
    public long FirstHeldRow(string name)
    {
        var first = RowCount;
        foreach (var column in _columns)
        {
            if (column.Field.Name == name && column.Rows > 0)
            {
                first = Math.Min(first, column.FirstRow);
            }
        }

        return first;
    }

    /// <inheritdoc/>
    public DataFileInfo Finish()
    {
        ObjectDisposedException.ThrowIf(_finished, this);
        foreach (var column in _columns)
        {
            _cancellationToken.ThrowIfCancellationRequested();
            Drain(column, final: true);
        }

        _spool.WriteTo(_sink);
        _finished = true;
        _page.Dispose();
        _spool.Dispose();
        DataFileWriter.WriteTail(_sink, _schema, RowCount, [.. _columns.Select(c => c.Metadata)], _options.Version.Major, _options.Version.Minor, _options.GlobalBuffers);

        // In format 2.1 only leaves have columns, so only they are listed (as Lance does).
        var fieldIds = _schema.AllFields.Where(f => f.IsLeaf).Select(f => f.Id).ToArray();
        return new DataFileInfo(_sink.Position, fieldIds, Enumerable.Range(0, fieldIds.Length).ToArray(), RowCount);
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        _finished = true;
        _page.Dispose();
        _spool.Dispose();
        foreach (var column in _columns)
        {
            column.Clear();
        }
    }

    // Writes the column's full pages (every page when final) and keeps the rows of the last one.
    private void Drain(PendingColumn column, bool final)
    {
        long written = column.Type switch
        {
            NullType => WriteNullPages(column, final),
            DictionaryType => WriteDictionaryPages(column, final),
            _ when column.Path is { } path => WriteNestedPages(column, path, final),
            _ => WriteLeafPages(column, final),
        };
        column.Consumed(written, _options.MaxPageBytes);
        if (_spool.IsFull)
        {
            _spool.WriteTo(_sink);
        }
    }

    // The widest column's pages go straight to the file, so that they lie back to back; the others' wait in the spool.
    private File2.ColumnMetadata.Types.Page WritePage(PendingColumn column, EncodedPage encoded, long firstRow, int rows) =>
        ReferenceEquals(column, _widest) || _widest is null
            ? DataFileWriter.WritePage(_sink, encoded, firstRow, rows)
            : _spool.Track(DataFileWriter.WritePage(_spool.Sink, encoded, firstRow, rows));

    // Arrow's Null type: pages of only a length (the all-null layout, one nullable-item layer, no buffers), as Lance writes them.
    private long WriteNullPages(PendingColumn column, bool final)
    {
        long done = 0;
        while (column.Rows - done >= _options.MaxPageRows || (final && column.Rows > done))
        {
            int count = (int)Math.Min(_options.MaxPageRows, column.Rows - done);
            var layout = new Enc21.AllNullLayout();
            layout.Layers.Add(Enc21.RepDefLayer.RepdefNullableItem);
            column.Metadata.Pages.Add(WritePage(column, new EncodedPage([], new Enc21.PageLayout { AllNullLayout = layout }), column.FirstRow + done, count));
            done += count;
        }

        return done;
    }

    private long WriteDictionaryPages(PendingColumn column, bool final)
    {
        long done = 0;
        while (column.Rows - done >= _options.MaxPageRows || (final && column.Rows > done))
        {
            int count = (int)Math.Min(_options.MaxPageRows, column.Rows - done);
            var encoded = DictionaryPages.Encode(column.Field, column.Arrays, done, count, _page, _options.Version.HasLargeChunks);
            column.Metadata.Pages.Add(WritePage(column, encoded, column.FirstRow + done, count));
            done += count;
        }

        return done;
    }

    private long WriteLeafPages(PendingColumn column, bool final)
    {
        var source = new ColumnPageSource(column.Field, column.Type, column.Arrays);
        var pages = source.PlanPages(_options.MaxPageBytes, _options.MaxPageRows);
        int count = final ? pages.Count : pages.Count - 1; // the last page may still grow
        WritePages(column, count, p => pages[p], (p, scratch) =>
        {
            var (start, rows) = pages[p];
            source.Gather(start, rows, scratch);
            return DataFileWriter.Encode(source, scratch, levels: null, _options.Version, _options.Compact);
        });
        return End(pages, count);
    }

    private long WriteNestedPages(PendingColumn column, LeafPath path, bool final)
    {
        // The leaf's level arrays are rented: handed back once its pages are encoded (each page copies its own levels).
        var leaf = LevelShredder.Shred(path, column.Arrays);
        try
        {
            return WriteNestedPages(column, path, leaf, final);
        }
        finally
        {
            leaf.Release();
        }
    }

    private long WriteNestedPages(PendingColumn column, LeafPath path, ShreddedLeaf leaf, bool final)
    {
        var leafType = LanceSchema.ToArrowType(path.Leaf);

        // Arrow's Null type inside a struct or list has no values to write: its pages hold levels only.
        var source = leafType is NullType ? null : new ColumnPageSource(path.Leaf, leafType, leaf.ValueRuns, checkNulls: false);
        var pages = DataFileWriter.PlanNestedPages(leaf, source, _options).ToList();
        int count = final ? pages.Count : pages.Count - 1;
        WritePages(column, count, p => pages[p], (p, scratch) =>
        {
            var (firstRow, rowCount) = pages[p];
            long firstEntry = leaf.RowEntryStart[firstRow];
            int entries = checked((int)(leaf.RowEntryStart[firstRow + rowCount] - firstEntry));
            long firstValue = leaf.RowValueStart[firstRow];
            int values = checked((int)(leaf.RowValueStart[firstRow + rowCount] - firstValue));
            var levels = new PageLevels(leaf, firstEntry, entries);
            if (values == 0 || source is null)
            {
                // Only null or empty lists: no values, just the levels (Lance's "complex all-null" page).
                return AllNullEncoder.Encode(levels);
            }

            source.Gather(firstValue, values, scratch);
            return DataFileWriter.Encode(source, scratch, levels, _options.Version, _options.Compact);
        });
        return End(pages, count);
    }

    // The first row after pages [0, count).
    private static long End(List<(long Start, int Count)> pages, int count) => count == 0 ? 0 : pages[count - 1].Start + pages[count - 1].Count;

    // Encodes pages [0, count) of the column and writes them in order. With ParallelPages, the pages are encoded on several
    // threads at once, each into its own scratch page (an encoded page may point into its scratch, so each is kept until its
    // page is written); the file is the same either way.
    private void WritePages(PendingColumn column, int count, Func<int, (long Start, int Count)> rows, Func<int, GatheredPage, EncodedPage> encode)
    {
        if (!_options.ParallelPages || count < 2)
        {
            for (int p = 0; p < count; p++)
            {
                _cancellationToken.ThrowIfCancellationRequested();
                var (start, n) = rows(p);
                column.Metadata.Pages.Add(WritePage(column, encode(p, _page), column.FirstRow + start, n));
            }

            return;
        }

        var scratch = new GatheredPage[count];
        var encoded = new EncodedPage[count];
        try
        {
            ParallelLoops.For(0, count, new ParallelOptions { CancellationToken = _cancellationToken }, p =>
            {
                scratch[p] = new GatheredPage();
                encoded[p] = encode(p, scratch[p]);
            });
            for (int p = 0; p < count; p++)
            {
                var (start, n) = rows(p);
                column.Metadata.Pages.Add(WritePage(column, encoded[p], column.FirstRow + start, n));
            }
        }
        finally
        {
            foreach (var page in scratch)
            {
                page?.Dispose();
            }
        }
    }

    /// <summary>One column of the file: its metadata so far and the rows of its unfinished page.</summary>
    private sealed class PendingColumn(LanceField field, IArrowType type, LeafPath? path, long drainAt)
    {
        public LanceField Field { get; } = field;

        public IArrowType Type { get; } = type;

        public LeafPath? Path { get; } = path;

        public File2.ColumnMetadata Metadata { get; } = new() { Encoding = EncodingProtos.ColumnValuesEncoding() };

        public List<IArrowArray> Arrays { get; private set; } = [];

        /// <summary>The file row of the first pending row.</summary>
        public long FirstRow { get; private set; }

        public long Rows { get; private set; }

        /// <summary>The pending rows' estimated bytes.</summary>
        public long Bytes { get; private set; }

        /// <summary>The estimated bytes past which the column is encoded; doubled when that wrote nothing (an estimate that ran ahead).</summary>
        public long DrainAt { get; private set; } = drainAt;

        public void Add(IArrowArray array)
        {
            Rows += array.Length;
            if (Type is NullType)
            {
                return; // only the row count matters
            }

            Arrays.Add(array);
            Bytes += DataFileWriters.EstimateBytes(array);
        }

        public void Consumed(long rows, long pageBytes)
        {
            if (rows == 0)
            {
                DrainAt = Math.Min(DrainAt * 2, long.MaxValue / 4);
                return;
            }

            long before = Rows;
            FirstRow += rows;
            Rows -= rows;
            if (Type is not NullType)
            {
                Arrays = DataFileWriters.DropRows(Arrays, rows);
                Bytes = before == 0 ? 0 : (long)(Bytes * ((double)Rows / before));
            }

            DrainAt = pageBytes;
        }

        public void Clear() => Arrays = [];
    }
}
