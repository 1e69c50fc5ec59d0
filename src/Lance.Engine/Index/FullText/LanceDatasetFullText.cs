using Apache.Arrow;
using Lance.Engine.Index.FullText;

namespace Lance.Engine;

/// <summary>Full-text search on a <see cref="LanceDataset"/> over inverted indexes in Lance's own format (LanceDB's or this engine's).</summary>
public static class LanceDatasetFullText
{
    /// <summary>
    /// Finds the rows matching a full-text query, best first, with the requested columns and a float32 <c>_score</c>
    /// (BM25, as LanceDB computes it). Rows in fragments added since the index was built are tokenized and scored on the fly;
    /// deleted rows never come back; the filter runs before scoring.
    /// </summary>
    /// <exception cref="LanceIndexException">A searched column has no full-text index, or a phrase query meets an index without positions.</exception>
    /// <exception cref="LanceFilterException">The filter is invalid for this dataset.</exception>
    public static Task<RecordBatch> FullTextSearchAsync(this LanceDataset dataset, FullTextSearchRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        return OnCurrent(dataset, snapshot => FullTextSearcher.Search(snapshot, request, cancellationToken), cancellationToken);
    }

    /// <summary>
    /// The ranked (row address, BM25 score) pairs of a full-text search, best first, after the request's offset and limit,
    /// without reading any other column: what a hybrid search fuses with vector results. Addresses are those of the current
    /// version (fragment id in the high 32 bits, row offset in the low).
    /// </summary>
    /// <exception cref="LanceIndexException">A searched column has no full-text index.</exception>
    /// <exception cref="LanceFilterException">The filter is invalid for this dataset.</exception>
    public static Task<IReadOnlyList<FullTextHit>> RankFullTextAsync(this LanceDataset dataset, FullTextSearchRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        return OnCurrent(dataset, snapshot => FullTextSearcher.Rank(snapshot, request, cancellationToken), cancellationToken);
    }

    // Runs a search on the current version off the caller's thread, once its deletion files are read.
    private static Task<T> OnCurrent<T>(LanceDataset dataset, Func<Dataset.Snapshot, T> search, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        var snapshot = dataset.Current;
        return Task.Run(
            async () =>
            {
                await snapshot.LoadDeletionsAsync(cancellationToken).ConfigureAwait(false);
                return search(snapshot);
            },
            cancellationToken);
    }

    /// <summary>
    /// Builds a full-text (inverted) index on the text column <paramref name="column"/> in Lance's own format and
    /// commits it as a new version: LanceDB's full-text search uses it, and so do <see cref="FullTextSearchAsync"/>
    /// and <see cref="RankFullTextAsync"/>. Rows added later are still searched (tokenized on the fly) until the
    /// index is rebuilt; deleted rows are never returned.
    /// </summary>
    /// <param name="dataset">The dataset to index.</param>
    /// <param name="column">A top-level string column.</param>
    /// <param name="options">How text is split and normalised (LanceDB's options and defaults when null).</param>
    /// <param name="name">The index name; <c>&lt;column&gt;_idx</c> when null.</param>
    /// <param name="replace">Whether an index of that name is rebuilt (LanceDB's default); when false it is an error.</param>
    /// <param name="cancellationToken">Cancels the build; nothing is committed then.</param>
    /// <exception cref="LanceIndexException">No such column, not a string column, unsupported options, or the name is taken and <paramref name="replace"/> is false.</exception>
    public static Task<FullTextIndexInfo> CreateFtsIndexAsync(
        this LanceDataset dataset, string column, FullTextIndexOptions? options = null, string? name = null, bool replace = true, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        ArgumentException.ThrowIfNullOrEmpty(column);
        dataset.Head.ThrowIfReadOnly();
        return FullTextIndexBuilder.CreateAsync(dataset.Current, dataset.Log, column, options ?? new FullTextIndexOptions(), name, replace, dataset.Head.Follow, cancellationToken);
    }

    /// <summary>The columns of the current version that have a full-text index.</summary>
    public static IReadOnlyList<string> FullTextIndexedColumns(this LanceDataset dataset)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        return FullTextSearcher.IndexedColumns(dataset.Current.Manifest);
    }

    /// <summary>The full-text index named <paramref name="name"/> of the current version, with its manifest entry, loaded.</summary>
    /// <exception cref="LanceIndexException">No full-text index has that name.</exception>
    internal static (Format.IndexMetadata Metadata, FullTextIndex Index) FullTextIndexNamed(this LanceDataset dataset, string name)
    {
        var snapshot = dataset.Current;
        var metadata = snapshot.Manifest.Indices.FirstOrDefault(i => i.Name == name && FullTextIndex.IsFullText(i))
            ?? throw new LanceIndexException($"'{dataset.Path}' has no full-text index named '{name}'.");
        return (metadata, FullTextIndex.Get(snapshot, metadata));
    }
}
