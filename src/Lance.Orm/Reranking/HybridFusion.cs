using Apache.Arrow;
using Apache.Arrow.Types;

namespace Lance.Orm;

/// <summary>
/// Fuses the two lists of a hybrid search as LanceDB's hybrid query does: each list's distances or
/// scores normalised to [0, 1], the reranker run over both, the original distances and scores put
/// back into its output, then offset and limit applied.
/// </summary>
internal static class HybridFusion
{
    /// <summary>Fuses <paramref name="vectorResults"/> and <paramref name="fullTextResults"/> (both with <c>_rowid</c>).</summary>
    public static async Task<RecordBatch> FuseAsync(
        string query,
        RecordBatch vectorResults,
        RecordBatch fullTextResults,
        IReranker reranker,
        int offset,
        int limit,
        bool withRowId,
        CancellationToken cancellationToken)
    {
        RecordBatch reranked;
        if (vectorResults.Length == 0 && fullTextResults.Length == 0)
        {
            reranked = RerankResults.WithRelevance(RerankResults.Merge(vectorResults, fullTextResults), []);
        }
        else
        {
            var vector = ScoreNormalization.Normalize(vectorResults, RerankResults.DistanceColumn);
            var text = ScoreNormalization.Normalize(fullTextResults, RerankResults.ScoreColumn);
            reranked = await reranker.RerankHybridAsync(query, vector, text, cancellationToken).ConfigureAwait(false);
            if (reranked is not null && reranked.Schema.GetFieldIndex(RerankResults.RowIdColumn) >= 0)
            {
                reranked = Restore(reranked, RerankResults.DistanceColumn, vectorResults);
                reranked = Restore(reranked, RerankResults.ScoreColumn, fullTextResults);
            }
        }

        return SearchReranking.Shape(reranker, reranked, offset, limit, withRowId);
    }

    /// <summary>Puts the original values of <paramref name="column"/> from <paramref name="source"/> back, by row id (null for rows it lacks).</summary>
    private static RecordBatch Restore(RecordBatch reranked, string column, RecordBatch source)
    {
        var target = reranked.Schema.GetFieldIndex(column);
        var from = source.Schema.GetFieldIndex(column);
        if (target < 0 || from < 0 || source.Column(from) is not FloatArray originals)
        {
            return reranked;
        }

        var position = new Dictionary<ulong, int>();
        var sourceIds = RerankResults.RowIds(source);
        for (var i = 0; i < sourceIds.Length; i++)
        {
            position.TryAdd(sourceIds[i], i);
        }

        var builder = new FloatArray.Builder().Reserve(reranked.Length);
        foreach (var id in RerankResults.RowIds(reranked))
        {
            if (position.TryGetValue(id, out var i) && originals.GetValue(i) is { } value)
            {
                builder.Append(value);
            }
            else
            {
                builder.AppendNull();
            }
        }

        var columns = Enumerable.Range(0, reranked.ColumnCount).Select(i => i == target ? builder.Build() : reranked.Column(i)).ToList();
        var fields = reranked.Schema.FieldsList.Select((f, i) => i == target ? new Field(f.Name, FloatType.Default, nullable: true, f.Metadata) : f).ToList();
        return new RecordBatch(new Schema(fields, reranked.Schema.Metadata), columns, reranked.Length);
    }
}
