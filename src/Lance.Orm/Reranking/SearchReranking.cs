using Apache.Arrow;
using Lance.Engine;
using Lance.Engine.Arrow;

namespace Lance.Orm;

/// <summary>Runs a query's reranker over its search results and shapes what comes back.</summary>
internal static class SearchReranking
{
    /// <summary>Reranks a vector search's rows (fetched with <c>_rowid</c>) with the query's reranker.</summary>
    public static async Task<RecordBatch> RerankVectorAsync(QuerySpec spec, RecordBatch results, CancellationToken cancellationToken)
    {
        var reranker = spec.Reranker!;
        var reranked = await reranker.RerankVectorAsync(spec.RerankQuery ?? spec.Input?.Text, results, cancellationToken).ConfigureAwait(false);
        return Shape(reranker, reranked, offset: 0, spec.Limit ?? 10, spec.WithRowId);
    }

    /// <summary>
    /// Checks a reranker's output, keeps <paramref name="limit"/> rows after the first
    /// <paramref name="offset"/>, and drops <c>_rowid</c> unless the query asked for it.
    /// </summary>
    /// <exception cref="LanceSchemaException">The reranker returned no float32 <c>_relevance_score</c> column.</exception>
    /// <exception cref="InvalidOperationException">The reranker returned null.</exception>
    public static RecordBatch Shape(IReranker reranker, RecordBatch? reranked, int offset, int limit, bool withRowId)
    {
        if (reranked is null)
        {
            throw new InvalidOperationException($"Reranker {reranker} returned no results (null); return a record batch, empty if nothing is relevant.");
        }

        var relevance = reranked.Schema.GetFieldIndex(RerankResults.RelevanceColumn);
        if (relevance < 0 || reranked.Column(relevance) is not FloatArray)
        {
            throw new LanceSchemaException(
                $"Reranker {reranker} must return a float32 '{RerankResults.RelevanceColumn}' column; it returned columns: {string.Join(", ", reranked.Schema.FieldsList.Select(f => f.Name))}.");
        }

        var start = Math.Min(offset, reranked.Length);
        var count = Math.Min(limit, reranked.Length - start);
        var batch = start == 0 && count == reranked.Length ? reranked : ArrowArrays.Take(reranked, Enumerable.Range(start, count).ToArray());
        var rowId = batch.Schema.GetFieldIndex(LanceDataset.RowIdColumn);
        return withRowId || rowId < 0 ? batch : WithoutColumn(batch, rowId);
    }

    /// <summary><paramref name="batch"/> without its column number <paramref name="index"/>.</summary>
    public static RecordBatch WithoutColumn(RecordBatch batch, int index)
    {
        var fields = batch.Schema.FieldsList.Where((_, i) => i != index).ToList();
        var columns = Enumerable.Range(0, batch.ColumnCount).Where(i => i != index).Select(batch.Column).ToList();
        return new RecordBatch(new Schema(fields, batch.Schema.Metadata), columns, batch.Length);
    }
}
