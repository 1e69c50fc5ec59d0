using Apache.Arrow;
using Lance.Engine;

namespace Lance.Orm;

/// <summary>
/// LanceDB's linear combination reranker: a row's relevance is
/// <c>weight × (1 − _distance) + (1 − weight) × _score</c>, the distance inverted into a relevance
/// and both taken as the hybrid search hands them over (each list's values normalised to [0, 1]).
/// A row one search did not find is penalised with <see cref="Fill"/>: its distance counts as
/// <c>fill</c> and its score as <c>1 − fill</c> (both 0 relevance with the default fill of 1).
/// </summary>
/// <remarks>
/// As LanceDB's Python reranker: the combination is computed in double and stored as float32, rows
/// are sorted by it (stably: vector rows first, then rows only the full-text search found). When one
/// list is empty the other is returned in its own order, its relevance being <c>1 − _distance</c>
/// (vector results) or <c>_score</c> (full-text results); reranking a plain vector or full-text
/// search does the same.
/// </remarks>
public sealed class LinearCombinationReranker : IReranker
{
    /// <summary>Creates the reranker.</summary>
    /// <param name="weight">The weight of the vector relevance, 0 to 1 (LanceDB's default 0.7); the full-text score gets <c>1 − weight</c>.</param>
    /// <param name="fill">The distance given to a row the vector search did not find, and <c>1 − fill</c> the score of a row the full-text search did not find (default 1).</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="weight"/> is outside [0, 1], or <paramref name="fill"/> is not finite.</exception>
    public LinearCombinationReranker(double weight = 0.7, double fill = 1.0)
    {
        if (!(weight >= 0 && weight <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(weight), weight, "The weight of the vector score must be between 0 and 1 (LanceDB's default is 0.7).");
        }

        if (!double.IsFinite(fill))
        {
            throw new ArgumentOutOfRangeException(nameof(fill), fill, "The fill value must be a finite number (LanceDB's default is 1).");
        }

        Weight = weight;
        Fill = fill;
    }

    /// <summary>The weight of the vector relevance (the full-text score's is <c>1 − Weight</c>).</summary>
    public double Weight { get; }

    /// <summary>The penalty for a row only one search found.</summary>
    public double Fill { get; }

    /// <inheritdoc/>
    public Task<RecordBatch> RerankHybridAsync(string query, RecordBatch vectorResults, RecordBatch fullTextResults, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(vectorResults);
        ArgumentNullException.ThrowIfNull(fullTextResults);
        cancellationToken.ThrowIfCancellationRequested();
        if (vectorResults.Length == 0)
        {
            return RerankFullTextAsync(query, fullTextResults, cancellationToken);
        }

        if (fullTextResults.Length == 0)
        {
            return RerankVectorAsync(query, vectorResults, cancellationToken);
        }

        var merged = RerankResults.Merge(vectorResults, fullTextResults);
        var distances = Values(merged, RerankResults.DistanceColumn);
        var scores = Values(merged, RerankResults.ScoreColumn);
        var relevance = new float[merged.Length];
        for (var i = 0; i < relevance.Length; i++)
        {
            var vectorScore = 1 - (distances.IsNull(i) ? Fill : (double)distances.GetValue(i)!.Value);
            var textScore = scores.IsNull(i) ? 1 - Fill : (double)scores.GetValue(i)!.Value;
            relevance[i] = (float)((Weight * vectorScore) + ((1 - Weight) * textScore));
        }

        return Task.FromResult(RerankResults.WithRelevance(merged, relevance));
    }

    /// <summary>Gives each row the relevance <c>1 − _distance</c>, keeping the search's order.</summary>
    /// <param name="query">Not used.</param>
    /// <param name="vectorResults">The rows, nearest first, with <c>_distance</c>.</param>
    /// <param name="cancellationToken">Stops the reranking.</param>
    public Task<RecordBatch> RerankVectorAsync(string? query, RecordBatch vectorResults, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(vectorResults);
        cancellationToken.ThrowIfCancellationRequested();
        var distances = Values(vectorResults, RerankResults.DistanceColumn);
        var relevance = new float[vectorResults.Length];
        for (var i = 0; i < relevance.Length; i++)
        {
            relevance[i] = (float)(1 - (distances.IsNull(i) ? Fill : (double)distances.GetValue(i)!.Value));
        }

        return Task.FromResult(RerankResults.WithRelevance(vectorResults, relevance, sort: false));
    }

    /// <summary>Gives each row its <c>_score</c> as relevance, keeping the search's order.</summary>
    /// <param name="query">Not used.</param>
    /// <param name="fullTextResults">The rows, best first, with <c>_score</c>.</param>
    /// <param name="cancellationToken">Stops the reranking.</param>
    public Task<RecordBatch> RerankFullTextAsync(string query, RecordBatch fullTextResults, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(fullTextResults);
        cancellationToken.ThrowIfCancellationRequested();
        var scores = Values(fullTextResults, RerankResults.ScoreColumn);
        var relevance = new float[fullTextResults.Length];
        for (var i = 0; i < relevance.Length; i++)
        {
            relevance[i] = scores.GetValue(i) ?? (float)(1 - Fill);
        }

        return Task.FromResult(RerankResults.WithRelevance(fullTextResults, relevance, sort: false));
    }

    /// <inheritdoc/>
    public override string ToString() => $"LinearCombinationReranker(weight={Weight}, fill={Fill})";

    private static FloatArray Values(RecordBatch batch, string column)
    {
        var index = batch.Schema.GetFieldIndex(column);
        return index >= 0 && batch.Column(index) is FloatArray values
            ? values
            : throw new LanceSchemaException(
                $"The linear combination reranker needs a float32 '{column}' column; found columns: {string.Join(", ", batch.Schema.FieldsList.Select(f => f.Name))}.");
    }
}
