using Apache.Arrow;
using Apache.Arrow.Types;
using Lance.Engine.Dataset;
using Lance.Engine.Format;
using Lance.Engine.Query.Filtering;

namespace Lance.Engine.Index.FullText;

/// <summary>
/// Runs a <see cref="FullTextQuery"/> over a <see cref="Snapshot"/> and ranks rows by BM25 as
/// LanceDB 0.31 does: rows an index covers are scored with the index's own statistics
/// (N = its documents, avgdl = their mean token count, idf = ln((N − n + ½)/(n + ½) + 1),
/// k1 = 1.2, b = 0.75); rows in fragments the index does not cover are tokenized on the fly and
/// scored with the index statistics plus theirs (each occurrence of a term in such a row counts
/// toward n, as Lance counts it). Deleted rows never match; a filter runs first (prefilter).
/// </summary>
internal static class FullTextSearcher
{
    /// <summary>The ranked rows (best first) after offset and limit.</summary>
    /// <exception cref="LanceIndexException">A searched column has no full-text index, or the query needs what the index lacks.</exception>
    /// <exception cref="LanceFilterException">The filter is invalid for this dataset.</exception>
    public static IReadOnlyList<FullTextHit> Rank(Snapshot snapshot, FullTextSearchRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request.Query);
        ArgumentOutOfRangeException.ThrowIfNegative(request.Offset);
        ArgumentOutOfRangeException.ThrowIfNegative(request.Limit);
        var filter = Scanner.ResolveFilter(snapshot.Schema, snapshot.Location, request.Filter, request.FilterTree);
        var context = new SearchContext(snapshot, filter, cancellationToken);

        // A match or phrase query (the common ones) keeps only its best rows as it scores, rather than every match.
        if (request.Query is MatchQuery { Fuzziness: 0 } or PhraseQuery && context.TryTop(request.Query, request.Offset + request.Limit) is { } top)
        {
            return top.Skip(request.Offset).Take(request.Limit).ToList();
        }

        var scores = context.Evaluate(request.Query);
        var ranked = scores.Select(kv => new FullTextHit(kv.Key, kv.Value)).OrderByDescending(h => h.Score).ThenBy(h => h.RowAddress);

        // LanceDB cuts a multi-match query's fused rows at the limit before it skips the offset, so an offset
        // shortens its answer (limit 6, offset 3 gives rows 3 to 5); other queries skip the offset first.
        return request.Query is MultiMatchQuery
            ? ranked.Take(request.Limit).Skip(request.Offset).ToList()
            : ranked.Skip(request.Offset).Take(request.Limit).ToList();
    }

    /// <summary>The ranked rows with the requested columns, <c>_score</c> and, on request, <c>_rowid</c>.</summary>
    public static RecordBatch Search(Snapshot snapshot, FullTextSearchRequest request, CancellationToken cancellationToken)
    {
        var hits = Rank(snapshot, request, cancellationToken);
        var projection = snapshot.Project(request.Columns);
        var ranked = hits.Select(h => (h.Score, h.RowAddress)).ToArray();
        var batch = SearchResults.Materialize(snapshot, projection, ranked, request.WithRowId);

        // Materialize names the score column _distance: rename it.
        var fields = batch.Schema.FieldsList.Select(f => f.Name == LanceDataset.DistanceColumn ? new Field(ScoreColumn, FloatType.Default, nullable: true) : f).ToList();
        return new RecordBatch(new Schema(fields, null), Enumerable.Range(0, batch.ColumnCount).Select(batch.Column), batch.Length);
    }

    /// <summary>The name of the score column full-text searches append.</summary>
    public const string ScoreColumn = "_score";

    /// <summary>The full-text index over <paramref name="column"/> (the newest, when several), or null.</summary>
    public static IndexMetadata? IndexOf(Manifest manifest, string column)
    {
        var field = manifest.Schema.Fields.FirstOrDefault(f => f.Name == column);
        return field is null ? null : manifest.Indices.LastOrDefault(i => FullTextIndex.IsFullText(i) && i.Fields.Contains(field.Id));
    }

    /// <summary>The columns of the current version that have a full-text index.</summary>
    public static IReadOnlyList<string> IndexedColumns(Manifest manifest)
        => manifest.Indices.Where(FullTextIndex.IsFullText)
            .SelectMany(i => i.Fields)
            .Select(id => manifest.Schema.Fields.FirstOrDefault(f => f.Id == id)?.Name)
            .OfType<string>().Distinct().ToList();
}
