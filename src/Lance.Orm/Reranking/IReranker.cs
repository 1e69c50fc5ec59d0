using Apache.Arrow;

namespace Lance.Orm;

/// <summary>
/// Reorders search results by relevance, as LanceDB's rerankers do: the results of a vector search,
/// of a full-text search, or of both (a hybrid search) go in as Arrow record batches, and one batch
/// comes out, most relevant row first, with a float32 <c>_relevance_score</c> column (higher is more
/// relevant). Implement it to plug in your own model or rule; <see cref="RerankResults"/> has the
/// merging and sorting helpers LanceDB's base reranker has.
/// </summary>
/// <remarks>
/// Every input batch holds the rows' <c>_rowid</c> (uint64) and the query's projected columns; vector
/// results also hold <c>_distance</c> (smaller is nearer), full-text results <c>_score</c> (BM25,
/// higher is better). In a hybrid search both are first normalised to [0, 1] (min–max over each list,
/// as LanceDB does), and the caller puts the original values back into the output. A reranker keeps
/// <c>_rowid</c> in its output; the query applies its limit and drops <c>_rowid</c> unless asked for.
/// </remarks>
public interface IReranker
{
    /// <summary>
    /// Fuses the results of a vector search and of a full-text search for the same query into one
    /// ranking. Either batch may have no rows.
    /// </summary>
    /// <param name="query">The query text.</param>
    /// <param name="vectorResults">The vector search's rows, nearest first, with <c>_distance</c> and <c>_rowid</c>.</param>
    /// <param name="fullTextResults">The full-text search's rows, best first, with <c>_score</c> and <c>_rowid</c>.</param>
    /// <param name="cancellationToken">Stops the reranking.</param>
    /// <returns>The rows to return, most relevant first, with <c>_relevance_score</c> and <c>_rowid</c>.</returns>
    Task<RecordBatch> RerankHybridAsync(string query, RecordBatch vectorResults, RecordBatch fullTextResults, CancellationToken cancellationToken = default);

    /// <summary>
    /// Reranks the results of a vector search. By default they are fused with an empty full-text
    /// list through <see cref="RerankHybridAsync"/>.
    /// </summary>
    /// <param name="query">The query text, or null when the search was by vector and no text was given.</param>
    /// <param name="vectorResults">The rows, nearest first, with <c>_distance</c> and <c>_rowid</c>.</param>
    /// <param name="cancellationToken">Stops the reranking.</param>
    /// <returns>The rows, most relevant first, with <c>_relevance_score</c> and <c>_rowid</c>.</returns>
    Task<RecordBatch> RerankVectorAsync(string? query, RecordBatch vectorResults, CancellationToken cancellationToken = default)
        => RerankHybridAsync(query ?? "", vectorResults, RerankResults.EmptyFullTextResults(), cancellationToken);

    /// <summary>
    /// Reranks the results of a full-text search. By default they are fused with an empty vector
    /// list through <see cref="RerankHybridAsync"/>.
    /// </summary>
    /// <param name="query">The query text.</param>
    /// <param name="fullTextResults">The rows, best first, with <c>_score</c> and <c>_rowid</c>.</param>
    /// <param name="cancellationToken">Stops the reranking.</param>
    /// <returns>The rows, most relevant first, with <c>_relevance_score</c> and <c>_rowid</c>.</returns>
    Task<RecordBatch> RerankFullTextAsync(string query, RecordBatch fullTextResults, CancellationToken cancellationToken = default)
        => RerankHybridAsync(query, RerankResults.EmptyVectorResults(), fullTextResults, cancellationToken);
}
