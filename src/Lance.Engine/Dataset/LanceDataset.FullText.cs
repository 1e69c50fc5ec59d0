using Apache.Arrow;
using Lance.Engine.Index.FullText;

namespace Lance.Engine;

/// <summary>Full-text search over inverted indexes in Lance's own format (LanceDB's or this engine's).</summary>
public sealed partial class LanceDataset
{
    /// <summary>The name of the BM25 score column full-text searches append.</summary>
    public const string ScoreColumn = FullTextSearcher.ScoreColumn;

    /// <summary>
    /// Finds the rows matching a full-text query, best first, with the requested columns and a float32 <c>_score</c>
    /// (BM25, as LanceDB computes it). Rows in fragments added since the index was built are tokenized and scored on the fly;
    /// deleted rows never come back; the filter runs before scoring.
    /// </summary>
    /// <exception cref="LanceIndexException">A searched column has no full-text index, or a phrase query meets an index without positions.</exception>
    /// <exception cref="LanceFilterException">The filter is invalid for this dataset.</exception>
    public Task<RecordBatch> FullTextSearchAsync(FullTextSearchRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var snapshot = Current;
        return Task.Run(() => FullTextSearcher.Search(snapshot, request, cancellationToken), cancellationToken);
    }

    /// <summary>
    /// The ranked (row address, BM25 score) pairs of a full-text search, best first, after the request's offset and limit,
    /// without reading any other column: what a hybrid search fuses with vector results. Addresses are those of the current
    /// version (fragment id in the high 32 bits, row offset in the low).
    /// </summary>
    /// <exception cref="LanceIndexException">A searched column has no full-text index.</exception>
    /// <exception cref="LanceFilterException">The filter is invalid for this dataset.</exception>
    public Task<IReadOnlyList<FullTextHit>> RankFullTextAsync(FullTextSearchRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var snapshot = Current;
        return Task.Run(() => FullTextSearcher.Rank(snapshot, request, cancellationToken), cancellationToken);
    }

    /// <summary>The columns of the current version that have a full-text index.</summary>
    public IReadOnlyList<string> FullTextIndexedColumns() => FullTextSearcher.IndexedColumns(Current.Manifest);
}
