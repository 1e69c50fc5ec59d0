using Lance.Engine.Query;

namespace Lance.Engine.Index.FullText;

/// <summary>A full-text search: a query, an optional prefilter, the columns, limit and offset.</summary>
/// <param name="Query">The query.</param>
public sealed record FullTextSearchRequest(FullTextQuery Query)
{
    /// <summary>The columns to return (all when null); <c>_score</c> is always appended.</summary>
    public IReadOnlyList<string>? Columns { get; init; }

    /// <summary>How many rows to return at most (LanceDB's default: 10).</summary>
    public int Limit { get; init; } = 10;

    /// <summary>How many of the best rows to skip first.</summary>
    public int Offset { get; init; }

    /// <summary>A SQL filter rows must pass before they are scored; none when null.</summary>
    public string? Filter { get; init; }

    /// <summary>A filter built in code; used when <see cref="Filter"/> is null.</summary>
    public FilterNode? FilterTree { get; init; }

    /// <summary>Whether to append the <c>_rowid</c> column.</summary>
    public bool WithRowId { get; init; }
}
