using Apache.Arrow;
using Apache.Arrow.Types;
using Lance.Engine.DataFiles.Encodings;
using Lance.Engine.DataFiles.V21;
using Lance.Engine.Format;
using File2 = Lance.Engine.Format.Protos.File2;

namespace Lance.Engine.DataFiles.V20;

/// <summary>
/// Writes one data file of format 2.0 as its rows arrive (see <see cref="DataFileWriter20"/> for the
/// encodings). Every field has a column, in pre-order; each keeps only the rows of its unfinished
/// page (a list's offsets column only its lists' ends) and writes its full pages at once, so pages
/// of different columns interleave in the file. A struct's single header page is written at the end.
/// </summary>
internal sealed class File20Writer : IDataFileWriter
{
    private readonly LanceSchema _schema;
    private readonly DataFileWriterOptions _options;
    private readonly CancellationToken _cancellationToken;
    private readonly FileSink _sink;
    private readonly GatheredPage _page = new();
    private readonly DataFileWriter20.PageWriter _pages;
    private readonly List<File2.ColumnMetadata> _columns = [];
    private readonly List<Node> _top = [];
    private readonly PageSpool _spool = new();
    private Node? _widest; // its pages go straight to the file; the others' through the spool
    private bool _finished;

    /// <summary>Starts a file on <paramref name="output"/> (written from its current position, not closed).</summary>
    public File20Writer(Stream output, LanceSchema schema, DataFileWriterOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(schema);
        _schema = schema;
        _options = options;
        _cancellationToken = cancellationToken;
        _sink = new FileSink(output, cancellationToken);
        _pages = new DataFileWriter20.PageWriter(_sink, _page, options);
        foreach (var field in schema.Fields)
        {
            _top.Add(Build(field, DataFileWriter.WritableType(field), topLevel: true));
        }
    }

    private enum Kind
    {
        Null,
        Dictionary,
        Struct,
        List,
        Leaf,
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
        var arrays = _schema.Fields.Select(f => DataFileWriter.CheckedColumn(f, batch)).ToList();
        if (_widest is null)
        {
            // The column whose pages will lie back to back: the one with the most bytes of values.
            var leaves = new List<(Node Node, long Bytes)>();
            for (int i = 0; i < arrays.Count; i++)
            {
                Measure(_top[i], arrays[i].Data, leaves);
            }

            _widest = leaves.Count == 0 ? _top[0] : leaves.MaxBy(l => l.Bytes).Node;
        }

        for (int i = 0; i < arrays.Count; i++)
        {
            Add(_top[i], arrays[i].Data);
        }

        RowCount += batch.Length;
    }

    /// <inheritdoc/>
    public DataFileInfo Finish()
    {
        ObjectDisposedException.ThrowIf(_finished, this);
        foreach (var node in _top)
        {
            DrainAll(node);
        }

        _spool.WriteTo(_sink);
        _finished = true;
        _page.Dispose();
        _spool.Dispose();
        DataFileWriter.WriteTail(_sink, _schema, RowCount, _columns, DataFileWriter20.MajorVersion, DataFileWriter20.MinorVersion);

        // In format 2.0 every field has a column, parents included, in pre-order (as LanceDB lists them).
        var fieldIds = _schema.AllFields.Select(f => f.Id).ToArray();
        if (fieldIds.Length != _columns.Count)
        {
            throw new InvalidOperationException($"Wrote {_columns.Count} columns for {fieldIds.Length} fields.");
        }

        return new DataFileInfo(_sink.Position, fieldIds, Enumerable.Range(0, fieldIds.Length).ToArray(), RowCount);
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        _finished = true;
        _page.Dispose();
        _spool.Dispose();
        _top.Clear();
    }

    private Node Build(LanceField field, IArrowType type, bool topLevel)
    {
        var node = new Node(field, type, topLevel, _options.MaxPageBytes);
        _columns.Add(node.Metadata); // pre-order: the parent's column before its children's
        switch (type)
        {
            case NullType:
                node.Kind = Kind.Null;
                break;
            case DictionaryType when !topLevel:
                throw new LanceSchemaException($"Column '{field.Name}': dictionary-encoded values inside a list or struct cannot be written; use plain strings there.");
            case DictionaryType:
                node.Kind = Kind.Dictionary;
                break;
            case StructType structType when !field.IsLeaf:
                node.Kind = Kind.Struct;
                foreach (var child in field.Children)
                {
                    int index = structType.GetFieldIndex(child.Name);
                    node.ChildIndices.Add(index);
                    node.Children.Add(Build(child, structType.Fields[index].DataType, topLevel: false));
                }

                break;
            case ListType or LargeListType:
                node.Kind = Kind.List;
                node.Children.Add(Build(field.Children[0], ((NestedType)type).Fields[0].DataType, topLevel: false));
                break;
            default:
                node.Kind = Kind.Leaf;
                break;
        }

        return node;
    }

    private void Add(Node node, ArrayData data)
    {
        node.Rows += data.Length;
        switch (node.Kind)
        {
            case Kind.Null:
                while (node.Rows - node.Written >= _options.MaxPageRows)
                {
                    WriteNullPage(node);
                }

                return;
            case Kind.Struct:
                for (int k = 0; k < node.Children.Count; k++)
                {
                    Add(node.Children[k], data.Children[node.ChildIndices[k]].Slice(data.Offset, data.Length));
                }

                return;
            case Kind.List:
                bool large = node.Type is LargeListType;
                long first = DataFileWriter20.PageWriter.OffsetAt(data, 0, large);
                long last = DataFileWriter20.PageWriter.OffsetAt(data, data.Length, large);
                Add(node.Children[0], data.Children[0].Slice(checked((int)first), checked((int)(last - first))));
                var validity = data.NullCount == 0 ? default : data.Buffers[0].Span;
                for (int i = 0; i < data.Length; i++)
                {
                    node.Ends.Add(node.ItemsBefore + (ulong)(DataFileWriter20.PageWriter.OffsetAt(data, i + 1, large) - first));
                    int bit = data.Offset + i;
                    node.Nulls.Add(!validity.IsEmpty && (validity[bit >> 3] & (1 << (bit & 7))) == 0);
                }

                node.ItemsBefore += (ulong)(last - first);
                if (node.Ends.Count >= _options.MaxPageRows)
                {
                    Drain(node, final: false);
                }

                return;
            default:
                node.Pending.Add(data);
                node.Bytes += DataFileWriters.EstimateBytes(data);
                if (node.Rows - node.Written > _options.MaxPageRows || node.Bytes > node.DrainAt)
                {
                    Drain(node, final: false);
                }

                return;
        }
    }

    private void WriteNullPage(Node node)
    {
        // A null page has no buffers: it goes nowhere in the file, whichever column it is.
        int count = (int)Math.Min(_options.MaxPageRows, node.Rows - node.Written);
        node.Metadata.Pages.Add(_pages.NullPage(node.Written, count));
        node.Written += count;
    }

    private void DrainAll(Node node)
    {
        _cancellationToken.ThrowIfCancellationRequested();
        Drain(node, final: true);
        foreach (var child in node.Children)
        {
            DrainAll(child);
        }
    }

    // The leaf columns of the node and their bytes in this batch (nested values counted under their parents' rows).
    private static void Measure(Node node, ArrayData data, List<(Node Node, long Bytes)> leaves)
    {
        switch (node.Kind)
        {
            case Kind.Struct:
                for (int k = 0; k < node.Children.Count; k++)
                {
                    Measure(node.Children[k], data.Children[node.ChildIndices[k]], leaves);
                }

                return;
            case Kind.List:
                Measure(node.Children[0], data.Children[0], leaves);
                return;
            case Kind.Leaf or Kind.Dictionary:
                leaves.Add((node, DataFileWriters.EstimateBytes(data)));
                return;
        }
    }

    private void Drain(Node node, bool final)
    {
        _pages.Spool = ReferenceEquals(node, _widest) ? null : _spool;
        try
        {
            DrainColumn(node, final);
        }
        finally
        {
            _pages.Spool = null;
        }

        if (_spool.IsFull)
        {
            _spool.WriteTo(_sink);
        }
    }

    private void DrainColumn(Node node, bool final)
    {
        switch (node.Kind)
        {
            case Kind.Null:
                while (final && node.Rows > node.Written)
                {
                    WriteNullPage(node);
                }

                return;
            case Kind.Struct:
                if (final)
                {
                    node.Metadata.Pages.Add(_pages.StructPage(node.Rows));
                }

                return;
            case Kind.List:
                ulong pageBase = node.PageBase;
                int lists = _pages.WriteListPages(node.Ends, node.Nulls, ref pageBase, node.Metadata, node.Written, final);
                node.PageBase = pageBase;
                node.Ends.RemoveRange(0, lists);
                node.Nulls.RemoveRange(0, lists);
                node.Written += lists;
                return;
        }

        long done = node.Kind == Kind.Dictionary
            ? _pages.WriteDictionaryPages(node.Field, (DictionaryType)node.Type, node.Pending, node.Metadata, node.Written, final)
            : _pages.WriteLeafPages(node.Field, node.Type, node.Pending, node.Metadata, node.TopLevel, node.Written, final);
        if (done == 0)
        {
            node.DrainAt = Math.Min(node.DrainAt * 2, long.MaxValue / 4); // the estimate ran ahead of the values
            return;
        }

        long before = node.Rows - node.Written;
        node.Written += done;
        node.Pending = DataFileWriters.DropRows(node.Pending, done);
        node.Bytes = (long)(node.Bytes * ((double)(node.Rows - node.Written) / before));
        node.DrainAt = _options.MaxPageBytes;
    }

    /// <summary>One column of the file: its metadata so far and what its unfinished page holds.</summary>
    private sealed class Node(LanceField field, IArrowType type, bool topLevel, long drainAt)
    {
        public LanceField Field { get; } = field;

        public IArrowType Type { get; } = type;

        public bool TopLevel { get; } = topLevel;

        public Kind Kind { get; set; }

        public File2.ColumnMetadata Metadata { get; } = new() { Encoding = EncodingProtos.ColumnValuesEncoding() };

        public List<Node> Children { get; } = [];

        public List<int> ChildIndices { get; } = [];

        /// <summary>The rows (values) added to the column so far.</summary>
        public long Rows { get; set; }

        /// <summary>The rows already written as pages.</summary>
        public long Written { get; set; }

        public List<ArrayData> Pending { get; set; } = [];

        public long Bytes { get; set; }

        public long DrainAt { get; set; } = drainAt;

        // A list column: its pending lists' ends (from the column's first item) and nulls.
        public List<ulong> Ends { get; } = [];

        public List<bool> Nulls { get; } = [];

        public ulong ItemsBefore { get; set; }

        public ulong PageBase { get; set; }
    }
}
