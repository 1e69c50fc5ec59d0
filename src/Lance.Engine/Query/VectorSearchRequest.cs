using Lance.Engine.Query;

namespace Lance.Engine;

/// <summary>A nearest-neighbour search over one vector column: exact, or through its vector index when it has one.</summary>
public sealed record VectorSearchRequest
{
    /// <summary>Creates a request for the <paramref name="k"/> rows nearest to <paramref name="query"/>.</summary>
    public VectorSearchRequest(string column, ReadOnlyMemory<float> query, int k)
    {
        ArgumentException.ThrowIfNullOrEmpty(column);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(k);
        Column = column;
        Query = query;
        K = k;
    }

    /// <summary>The vector column: a fixed-size list of float16, float32 or float64 (l2, cosine, dot), or of uint8 (hamming).</summary>
    public string Column { get; init; }

    /// <summary>The query vector; its length must equal the column's dimension.</summary>
    public ReadOnlyMemory<float> Query { get; init; }

    /// <summary>How many rows to return at most (after <see cref="Offset"/> rows are skipped).</summary>
    public int K { get; init; }

    /// <summary>The distance metric; L2 by default, as in LanceDB.</summary>
    public DistanceMetric Metric { get; init; } = DistanceMetric.L2;

    /// <summary>The columns to return (all when null); <c>_distance</c> is always appended.</summary>
    public IReadOnlyList<string>? Columns { get; init; }

    /// <summary>How many IVF partitions an indexed search probes (LanceDB's default: 20).</summary>
    public int Nprobes { get; init; } = 20;

    /// <summary>
    /// When set, an indexed search takes <c>K × RefineFactor</c> candidates and re-ranks them with
    /// the exact vectors; when null, indexed results carry approximate (quantised) distances.
    /// </summary>
    public int? RefineFactor { get; init; }

    /// <summary>
    /// The beam width of an IVF_HNSW_SQ search within each probed partition (LanceDB's <c>ef</c>);
    /// when null, 1.5 × the candidates wanted (<c>K × RefineFactor</c>), LanceDB's default. Larger is
    /// slower and finds more of the true neighbours; other index kinds ignore it.
    /// </summary>
    public int? Ef { get; init; }

    /// <summary>Whether to search every row exactly even when an index covers the column.</summary>
    public bool BypassIndex { get; init; }

    /// <summary>Whether to append the <c>_rowid</c> column (fragment id in the high 32 bits, row offset in the low).</summary>
    public bool WithRowId { get; init; }

    /// <summary>A SQL filter (<c>id &gt; 10 AND name LIKE 'a%'</c>) that rows must pass; none when null.</summary>
    public string? Filter { get; init; }

    /// <summary>
    /// Whether the filter runs before the search (LanceDB's default: the k nearest rows among those
    /// that pass) or after it (the k nearest rows, then filtered, so fewer may come back).
    /// </summary>
    public bool Prefilter { get; init; } = true;

    /// <summary>How many of the nearest rows to skip before returning <see cref="K"/>.</summary>
    public int Offset { get; init; }

    /// <summary>Only rows at a distance of at least this (inclusive); none when null.</summary>
    public float? DistanceLower { get; init; }

    /// <summary>Only rows at a distance below this (exclusive); none when null.</summary>
    public float? DistanceUpper { get; init; }

    /// <summary>A filter built in code as a tree (the ORM's translated LINQ builds one); used when <see cref="Filter"/> is null.</summary>
    public FilterNode? FilterTree { get; init; }

    /// <summary>Whether the filter may use the table's scalar indexes (BTREE, BITMAP) where they cover the rows; the results are the same either way.</summary>
    public bool UseScalarIndex { get; init; } = true;
}
