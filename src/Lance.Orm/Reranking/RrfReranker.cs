using Apache.Arrow;

namespace Lance.Orm;

/// <summary>
/// Reciprocal rank fusion, LanceDB's default reranker: a row's relevance is the sum over the lists
/// that found it of <c>1 / (rank + k)</c>, rank counted from 0 in each list, in float32 as LanceDB's
/// Rust and Node rerankers compute it. Scores and distances themselves are not used, only ranks.
/// </summary>
/// <remarks>
/// As LanceDB: a row found by both searches appears once, where it first appears (vector list
/// first), with both its <c>_distance</c> and <c>_score</c>; rows are sorted by relevance, most
/// relevant first, and rows of equal relevance keep that merged order (LanceDB's sort keeps it too
/// whenever the fused lists hold at most 20 rows, as with the default limit of 10; beyond that its
/// unstable sort may order ties otherwise). A row listed twice in one list counts twice.
/// </remarks>
public sealed class RrfReranker : IReranker
{
    /// <summary>Creates the reranker.</summary>
    /// <param name="k">The constant added to each rank (LanceDB's default 60; Cormack et al. found it near-optimal).</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="k"/> is not a positive finite number.</exception>
    public RrfReranker(float k = 60f)
    {
        if (!float.IsFinite(k) || k <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(k), k, "The RRF constant k must be a positive finite number (LanceDB's default is 60).");
        }

        K = k;
    }

    /// <summary>The constant added to each rank.</summary>
    public float K { get; }

    /// <inheritdoc/>
    public Task<RecordBatch> RerankHybridAsync(string query, RecordBatch vectorResults, RecordBatch fullTextResults, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(vectorResults);
        ArgumentNullException.ThrowIfNull(fullTextResults);
        cancellationToken.ThrowIfCancellationRequested();
        return Task.FromResult(Fuse(RerankResults.Merge(vectorResults, fullTextResults), vectorResults, fullTextResults));
    }

    /// <summary>Scores the vector results by rank alone (<c>1 / (rank + k)</c>), so their order is kept; a row listed twice appears once.</summary>
    /// <param name="query">Not used.</param>
    /// <param name="vectorResults">The rows, nearest first, with <c>_rowid</c>.</param>
    /// <param name="cancellationToken">Stops the reranking.</param>
    public Task<RecordBatch> RerankVectorAsync(string? query, RecordBatch vectorResults, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(vectorResults);
        cancellationToken.ThrowIfCancellationRequested();
        return Task.FromResult(Fuse(RerankResults.Deduplicate(vectorResults), vectorResults));
    }

    /// <summary>Scores the full-text results by rank alone (<c>1 / (rank + k)</c>), so their order is kept; a row listed twice appears once.</summary>
    /// <param name="query">Not used.</param>
    /// <param name="fullTextResults">The rows, best first, with <c>_rowid</c>.</param>
    /// <param name="cancellationToken">Stops the reranking.</param>
    public Task<RecordBatch> RerankFullTextAsync(string query, RecordBatch fullTextResults, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(fullTextResults);
        cancellationToken.ThrowIfCancellationRequested();
        return Task.FromResult(Fuse(RerankResults.Deduplicate(fullTextResults), fullTextResults));
    }

    /// <inheritdoc/>
    public override string ToString() => $"RrfReranker(k={K})";

    private RecordBatch Fuse(RecordBatch merged, params RecordBatch[] lists)
    {
        var scores = new Dictionary<ulong, float>();
        foreach (var list in lists)
        {
            var ids = RerankResults.RowIds(list);
            for (var rank = 0; rank < ids.Length; rank++)
            {
                // float32 throughout, as LanceDB computes it: 1 / (rank + k), summed.
                var score = 1f / (rank + K);
                scores[ids[rank]] = scores.TryGetValue(ids[rank], out var sum) ? sum + score : score;
            }
        }

        var relevance = RerankResults.RowIds(merged).Select(id => scores[id]).ToArray();
        return RerankResults.WithRelevance(merged, relevance);
    }
}
