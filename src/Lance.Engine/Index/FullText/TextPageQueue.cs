using Apache.Arrow;
using Lance.Engine.Dataset;
using Lance.Engine.DataFiles.Encodings;
using Lance.Engine.DataFiles.V21;
using Lance.Engine.Format;

namespace Lance.Engine.Index.FullText;

/// <summary>
/// The rows of a text column across fragments, handed to the build's workers as chunks in row order while they are read:
/// each fragment's column is decoded a page at a time (<see cref="ColumnPages"/>) by whichever worker has nothing to
/// tokenize, into a builder that goes back to a pool once every chunk of its page is tokenized, so tokenizing starts at
/// once, reading overlaps it and no whole copy of the column is made. A fragment whose file cannot be read by pages (or
/// whose column the cache holds) is read whole, as one page. Chunks are numbered, and handed out, in row order across
/// all fragments; at most a few pages are decoded ahead of the chunks being tokenized.
/// </summary>
internal sealed class TextPageQueue : IDisposable
{
    /// <summary>Rows per chunk (a page's last chunk may hold fewer).</summary>
    public const int ChunkRows = 8192;

    private readonly Snapshot _snapshot;
    private readonly Field _field;
    private readonly CancellationToken _cancellationToken;
    private readonly List<Source> _sources = [];
    private readonly List<Unit> _units = [];
    private readonly PriorityQueue<Chunk, int> _ready = new();
    private readonly Stack<ColumnBuilder> _spare = new();
    private readonly object _gate = new();
    private readonly int _maxPagesAhead = Environment.ProcessorCount + 2;
    private int _nextUnit;
    private int _nextChunk;
    private int _decoding;
    private int _live;
    private bool _failed;

    /// <summary>Plans the chunks of <paramref name="field"/>'s column over <paramref name="fragments"/> (opening their files).</summary>
    public TextPageQueue(Snapshot snapshot, IReadOnlyList<DataFragment> fragments, Field field, CancellationToken cancellationToken)
    {
        _snapshot = snapshot;
        _field = field;
        _cancellationToken = cancellationToken;
        var stable = snapshot.Manifest.UsesStableRowIds;
        try
        {
            // Each file is opened here for its page list and closed; it is opened again when its first page is decoded and
            // closed after its last, so only the files being read are open at once.
            foreach (var fragment in fragments)
            {
                using var pages = snapshot.TryOpenColumnPages(fragment, field, cancellationToken);
                var source = new Source(fragment, pages?.Count ?? 0, snapshot.DeletedRows(fragment), stable ? snapshot.RowIds.Of(fragment) : null);
                _sources.Add(source);
                if (pages is null)
                {
                    AddUnit(source, -1, 0, checked((int)fragment.PhysicalRows));
                    continue;
                }

                for (var p = 0; p < pages.Count; p++)
                {
                    AddUnit(source, p, pages.FirstRowOf(p), pages.RowsOf(p));
                }
            }
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    /// <summary>The number of chunks (the build's runs).</summary>
    public int ChunkCount { get; private set; }

    private void AddUnit(Source source, int page, long firstRow, int rows)
    {
        _units.Add(new Unit(source, page, checked((int)firstRow), rows, ChunkCount));
        ChunkCount += (rows + ChunkRows - 1) / ChunkRows;
    }

    /// <summary>
    /// The next chunk to tokenize, decoding pages (into <paramref name="readBuffer"/>, this worker's own) while none is ready;
    /// false when every chunk has been handed out (or another worker failed). Call <see cref="Done"/> after each chunk.
    /// </summary>
    public bool TryTake(PageReadBuffer readBuffer, out Chunk chunk)
    {
        while (true)
        {
            Unit unit;
            ColumnBuilder? builder = null;
            lock (_gate)
            {
                while (true)
                {
                    if (_failed)
                    {
                        chunk = default;
                        return false;
                    }

                    // Chunks go out in row order, so each worker's tokenizer sees its chunks in row order (the join numbers the
                    // tokens in the order they first appear, found from each tokenizer's first sighting).
                    if (_ready.TryPeek(out chunk, out var index) && index == _nextChunk)
                    {
                        _ready.Dequeue();
                        _nextChunk++;
                        return true;
                    }

                    // Otherwise decode the next page, unless enough pages are decoded or decoding already: the next chunk's
                    // page is one of them (pages are taken in order), so it comes.
                    if (_nextUnit < _units.Count && _live + _decoding < _maxPagesAhead)
                    {
                        unit = _units[_nextUnit++];
                        _decoding++;
                        if (unit.Page >= 0)
                        {
                            _spare.TryPop(out builder);
                        }

                        break;
                    }

                    if (_nextChunk == ChunkCount)
                    {
                        chunk = default;
                        return false;
                    }

                    Monitor.Wait(_gate);
                }
            }

            Publish(Decode(unit, builder, readBuffer));
        }
    }

    /// <summary>Says that <paramref name="chunk"/> is tokenized: once its page's chunks all are, the page's builder is reused.</summary>
    public void Done(Chunk chunk)
    {
        lock (_gate)
        {
            if (--chunk.Page.Pending == 0)
            {
                _live--;
                if (chunk.Page.Builder is { } builder)
                {
                    _spare.Push(builder);
                }

                Monitor.PulseAll(_gate);
            }
        }
    }

    /// <summary>Stops the other workers (a worker failed): they take no more chunks.</summary>
    public void Fail()
    {
        lock (_gate)
        {
            _failed = true;
            Monitor.PulseAll(_gate);
        }
    }

    private DecodedPage Decode(Unit unit, ColumnBuilder? builder, PageReadBuffer readBuffer)
    {
        try
        {
            _cancellationToken.ThrowIfCancellationRequested();
            if (unit.Page >= 0)
            {
                var pages = unit.Source.Open(this, unit);
                try
                {
                    builder ??= pages.NewBuilder();
                    pages.Decode(unit.Page, builder, readBuffer);
                }
                finally
                {
                    unit.Source.Decoded();
                }

                return new DecodedPage(unit, builder, null);
            }

            var values = _snapshot.ReadColumn(unit.Source.Fragment, _field, _cancellationToken);
            return values.Length == unit.Rows
                ? new DecodedPage(unit, null, values)
                : throw new LanceFormatException($"Column '{_field.Name}' of fragment {unit.Source.Fragment.Id} holds {values.Length} rows but the fragment has {unit.Rows}.");
        }
        catch
        {
            Fail();
            throw;
        }
    }

    private void Publish(DecodedPage page)
    {
        var rows = page.Unit.Rows;
        lock (_gate)
        {
            page.Pending = (rows + ChunkRows - 1) / ChunkRows;
            _decoding--;
            for (int start = 0, index = page.Unit.FirstChunk; start < rows; start += ChunkRows, index++)
            {
                _ready.Enqueue(new Chunk(page, start, Math.Min(rows, start + ChunkRows), index), index);
            }

            if (page.Pending > 0)
            {
                _live++;
            }
            else if (page.Builder is { } builder)
            {
                _spare.Push(builder);
            }

            Monitor.PulseAll(_gate);
        }
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        foreach (var source in _sources)
        {
            source.Close();
        }
    }

    /// <summary>A run of rows [<paramref name="Start"/>, <paramref name="End"/>) of a decoded page, the build's run number <paramref name="Index"/>.</summary>
    internal readonly record struct Chunk(DecodedPage Page, int Start, int End, int Index)
    {
        /// <summary>The fragment's deleted rows (offsets in the fragment).</summary>
        public HashSet<int> Deleted => Page.Unit.Source.Deleted;

        /// <summary>The fragment's stable row ids by offset, or null when row ids are the fragment's id and the offset.</summary>
        public ulong[]? RowIds => Page.Unit.Source.RowIds;

        /// <summary>The fragment's id.</summary>
        public ulong FragmentId => Page.Unit.Source.Fragment.Id;

        /// <summary>The fragment's row that the page's row 0 is.</summary>
        public int FirstRow => Page.Unit.FirstRow;

        /// <summary>The text of the page's row <paramref name="row"/>, or false for a null.</summary>
        public bool TryGetText(int row, out ReadOnlySpan<byte> text)
        {
            if (Page.Builder is { } builder)
            {
                if (builder.IsNull(row))
                {
                    text = default;
                    return false;
                }

                text = builder.VariableValue(row);
                return true;
            }

            var values = Page.Values!;
            if (values.IsNull(row))
            {
                text = default;
                return false;
            }

            text = values switch
            {
                StringArray s => s.GetBytes(row),
                LargeStringArray l => l.GetBytes(row),
                _ => default,
            };
            return true;
        }

        /// <summary>About as many token occurrences as the chunk's rows hold: one per 8 bytes of text (a word and its separator).</summary>
        public int ExpectedOccurrences()
        {
            long bytes = 0;
            for (var row = Start; row < End; row++)
            {
                bytes += TryGetText(row, out var text) ? text.Length : 0;
            }

            return (int)Math.Min(1 << 26, bytes / 8);
        }
    }

    /// <summary>A page (or a whole column read at once) decoded: its rows in a reused builder, or in an Arrow array.</summary>
    internal sealed class DecodedPage(Unit unit, ColumnBuilder? builder, IArrowArray? values)
    {
        /// <summary>Chunks of the page not yet tokenized.</summary>
        public int Pending;

        /// <summary>Which page.</summary>
        public Unit Unit { get; } = unit;

        /// <summary>The rows, when decoded page by page.</summary>
        public ColumnBuilder? Builder { get; } = builder;

        /// <summary>The rows, when read whole.</summary>
        public IArrowArray? Values { get; } = values;
    }

    /// <summary>
    /// A fragment being read: its deleted rows and stable row ids, and its pages (<paramref name="pageCount"/> of them, none
    /// when read whole), open from the first page decoded until the last is.
    /// </summary>
    internal sealed class Source(DataFragment fragment, int pageCount, HashSet<int> deleted, ulong[]? rowIds)
    {
        private readonly object _gate = new();
        private ColumnPages? _pages;
        private int _decoded;

        /// <summary>The fragment.</summary>
        public DataFragment Fragment { get; } = fragment;

        /// <summary>The fragment's deleted rows (offsets in the fragment).</summary>
        public HashSet<int> Deleted { get; } = deleted;

        /// <summary>The fragment's stable row ids by offset, or null.</summary>
        public ulong[]? RowIds { get; } = rowIds;

        /// <summary>The fragment's pages, opened at the first call (as planned: the same pages); call <see cref="Decoded"/> after each.</summary>
        /// <exception cref="LanceFormatException">The file now holds other pages than when planned.</exception>
        public ColumnPages Open(TextPageQueue queue, Unit unit)
        {
            lock (_gate)
            {
                if (_pages is null)
                {
                    var pages = queue._snapshot.TryOpenColumnPages(Fragment, queue._field, queue._cancellationToken);
                    if (pages is null || pages.Count != pageCount || pages.FirstRowOf(unit.Page) != unit.FirstRow || pages.RowsOf(unit.Page) != unit.Rows)
                    {
                        pages?.Dispose();
                        throw new LanceFormatException($"The pages of column '{queue._field.Name}' of fragment {Fragment.Id} changed while it was indexed.");
                    }

                    _pages = pages;
                }

                return _pages;
            }
        }

        /// <summary>Says a page was decoded (or failed): after the last one, the file is closed.</summary>
        public void Decoded()
        {
            lock (_gate)
            {
                if (++_decoded == pageCount)
                {
                    Close();
                }
            }
        }

        /// <summary>Closes the file if open.</summary>
        public void Close()
        {
            lock (_gate)
            {
                _pages?.Dispose();
                _pages = null;
            }
        }
    }

    /// <summary>Page <paramref name="Page"/> of a source (-1: the whole column), its first row in the fragment, its rows and first chunk's number.</summary>
    internal sealed record Unit(Source Source, int Page, int FirstRow, int Rows, int FirstChunk);
}
