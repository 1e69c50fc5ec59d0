using Apache.Arrow;
using Lance.Engine.Dataset;
using Lance.Engine.Format;
using Lance.Engine.Query.Filtering;

namespace Lance.Engine.Index.FullText;

/// <summary>
/// One column's part of a full-text search: its index, which indexed rows may be returned (the
/// fragments the index covers that are still in the version, less deleted rows and rows the filter
/// rejects), and the rows of the other fragments, tokenized on the fly.
/// </summary>
internal sealed class ColumnSearch
{
    private readonly Snapshot _snapshot;
    private readonly string _column;
    private readonly RowFilter? _filter;
    private readonly CancellationToken _cancellationToken;
    private readonly RowMask _mask;
    private readonly HashSet<ulong> _covered;
    private readonly Dictionary<ulong, long>? _addresses;
    private FlatDocuments? _flat;

    public ColumnSearch(Snapshot snapshot, string column, RowFilter? filter, CancellationToken cancellationToken)
    {
        _snapshot = snapshot;
        _column = column;
        _filter = filter;
        _cancellationToken = cancellationToken;
        if (snapshot.Schema.GetFieldIndex(column) < 0)
        {
            throw new LanceSchemaException($"Dataset '{snapshot.Location}' has no column '{column}'; its columns are {snapshot.ColumnList}.");
        }

        Metadata = FullTextSearcher.IndexOf(snapshot.Manifest, column)
            ?? throw new LanceIndexException($"Column '{column}' of '{snapshot.Location}' has no full-text index: create one with CreateFtsIndexAsync first.");
        Index = FullTextIndex.Get(snapshot, Metadata);
        _covered = [.. Metadata.Fragments];
        _mask = new RowMask(snapshot.Fragments.Select(f => f.Id).DefaultIfEmpty(0UL).Max());
        foreach (var fragment in snapshot.Fragments.Where(f => _covered.Contains(f.Id)))
        {
            _mask.Allow(fragment.Id, Allowed(fragment));
        }

        if (snapshot.Manifest.UsesStableRowIds)
        {
            _addresses = [];
            foreach (var fragment in snapshot.Fragments.Where(f => _covered.Contains(f.Id)))
            {
                var ids = snapshot.RowIds.Of(fragment);
                for (var row = 0; row < ids.Length; row++)
                {
                    _addresses[ids[row]] = ((long)fragment.Id << 32) | (uint)row;
                }
            }
        }
    }

    /// <summary>The index's manifest entry.</summary>
    public IndexMetadata Metadata { get; }

    /// <summary>The index.</summary>
    public FullTextIndex Index { get; }

    /// <summary>The rows outside the index (those the filter lets through), tokenized.</summary>
    public FlatDocuments Flat => _flat ??= ReadFlat();

    /// <summary>The address of an indexed document's row when it may be returned; null for a deleted, rewritten or filtered-out row.</summary>
    public long? IndexedRow(ulong rowId)
    {
        long address;
        if (_addresses is null)
        {
            address = (long)rowId;
        }
        else if (!_addresses.TryGetValue(rowId, out address))
        {
            return null;
        }

        return _mask.Allows(address) ? address : null;
    }

    private bool[]? Allowed(DataFragment fragment)
    {
        var rows = Scanner.PassingRows(_snapshot, fragment, _filter, out var all);
        if (all)
        {
            return null;
        }

        var allowed = new bool[fragment.PhysicalRows];
        foreach (var row in rows!)
        {
            allowed[row] = true;
        }

        return allowed;
    }

    private FlatDocuments ReadFlat()
    {
        var documents = new List<FlatDocument>();
        var field = _snapshot.Schema.GetFieldByName(_column);
        foreach (var fragment in _snapshot.Fragments.Where(f => !_covered.Contains(f.Id)))
        {
            _cancellationToken.ThrowIfCancellationRequested();
            var rows = Scanner.PassingRows(_snapshot, fragment, _filter, out var all);
            var values = _snapshot.ReadColumn(fragment, field, _cancellationToken);
            foreach (var row in all ? Enumerable.Range(0, (int)fragment.PhysicalRows) : rows!)
            {
                var text = values switch
                {
                    StringArray s => s.IsNull(row) ? null : s.GetString(row),
                    LargeStringArray l => l.IsNull(row) ? null : l.GetString(row),
                    _ => throw new LanceSchemaException($"Column '{_column}' of '{_snapshot.Location}' is {field.DataType.Name}, not text: full-text search needs a string column."),
                };
                // A null text is a document without tokens: LanceDB counts it in N.
                documents.Add(new FlatDocument(((long)fragment.Id << 32) | (uint)row, text is null ? [] : Index.Analyzer.Analyze(text)));
            }
        }

        return new FlatDocuments(Index, documents);
    }
}
