using Lance.Engine.Query;

namespace Lance.Engine;

/// <summary>A scan of a dataset: which columns, which rows (a filter), and how many.</summary>
public sealed record ScanRequest
{
    /// <summary>The columns to return, in this order; all when null.</summary>
    public IReadOnlyList<string>? Columns { get; init; }

    /// <summary>A SQL filter (<c>id &gt; 10 AND name LIKE 'a%'</c>) that rows must pass; none when null.</summary>
    public string? Filter { get; init; }

    /// <summary>How many rows to return at most; all when null.</summary>
    public long? Limit { get; init; }

    /// <summary>How many passing rows to skip first (in scan order).</summary>
    public long Offset { get; init; }

    /// <summary>Whether to append the <c>_rowid</c> column (fragment id in the high 32 bits, row offset in the low).</summary>
    public bool WithRowId { get; init; }

    /// <summary>Whether the filter may use the table's scalar indexes (BTREE, BITMAP) where they cover the rows (LanceDB's <c>use_scalar_index</c>); the rows returned are the same either way.</summary>
    public bool UseScalarIndex { get; init; } = true;

    /// <summary>A filter built in code as a tree (the ORM's translated LINQ builds one); used when <see cref="Filter"/> is null.</summary>
    public FilterNode? FilterTree { get; init; }
}
