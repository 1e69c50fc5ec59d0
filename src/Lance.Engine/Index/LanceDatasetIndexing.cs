using Lance.Engine.Dataset;
using Lance.Engine.Index;
using Lance.Engine.Index.Scalar;

namespace Lance.Engine;

/// <summary>
/// Index management on a <see cref="LanceDataset"/>, as LanceDB's table offers it: vector and scalar
/// index builds, listing, statistics, drop and optimize. Each write commits one new version through
/// the dataset's commit log.
/// </summary>
public static class LanceDatasetIndexing
{
    /// <summary>The vector indexes recorded in the current version.</summary>
    public static IReadOnlyList<VectorIndexInfo> ListIndices(this LanceDataset dataset)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        return IndexCatalog.List(dataset.Current, dataset.IndexCache);
    }

    /// <summary>Builds an IVF-PQ index over <paramref name="column"/> and commits a version recording it (replacing one of the same name); later rows are searched exactly until <see cref="OptimizeIndexAsync"/>.</summary>
    /// <exception cref="LanceIndexException">The column cannot be indexed with these options; nothing is committed.</exception>
    /// <exception cref="OperationCanceledException">The build was cancelled; nothing is committed and no index file is left.</exception>
    public static Task<VectorIndexInfo> CreateIndexAsync(this LanceDataset dataset, string column, IvfPqOptions? options = null, CancellationToken cancellationToken = default)
        => dataset.CreateIndexAsync(column, options is null ? IndexConfig.IvfPq() : IndexConfig.From(options), cancellationToken);

    /// <summary>
    /// Builds a vector index of the kind <paramref name="config"/> names (IVF_PQ, IVF_FLAT, IVF_SQ or
    /// IVF_HNSW_SQ, in Lance's format, so LanceDB uses it too) over <paramref name="column"/> and commits
    /// a version recording it (replacing one of the same name). Later rows are searched exactly until
    /// <see cref="OptimizeIndexAsync"/>.
    /// </summary>
    /// <exception cref="LanceIndexException">The column cannot be indexed with this configuration; nothing is committed.</exception>
    /// <exception cref="OperationCanceledException">The build was cancelled; nothing is committed and no index file is left.</exception>
    public static Task<VectorIndexInfo> CreateIndexAsync(this LanceDataset dataset, string column, IndexConfig config, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        ArgumentException.ThrowIfNullOrEmpty(column);
        ArgumentNullException.ThrowIfNull(config);
        dataset.Head.ThrowIfReadOnly();
        return IndexWriter.CreateAsync(dataset.Current, dataset.IndexCache, dataset.Log, column, config, dataset.Head.Follow, cancellationToken);
    }

    /// <summary>Folds rows appended since the index named <paramref name="name"/> (every vector and scalar index when null) was built into it and drops deleted rows, as LanceDB's optimize does; one new version per index.</summary>
    /// <exception cref="LanceIndexException">No index has that name, or it is of a kind this engine does not rebuild (full-text).</exception>
    public static Task OptimizeIndexAsync(this LanceDataset dataset, string? name = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        dataset.Head.ThrowIfReadOnly();
        return IndexAdmin.OptimizeAsync(dataset.Current, dataset.IndexCache, dataset.Log, name, dataset.Head.Follow, cancellationToken);
    }

    /// <summary>Every index of the current version (vector, scalar and full-text; built here or by LanceDB), one per name, ordered by name as LanceDB's <c>listIndices</c> lists them.</summary>
    public static Task<IReadOnlyList<IndexDescription>> ListIndicesAsync(this LanceDataset dataset, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        cancellationToken.ThrowIfCancellationRequested();
        return Task.FromResult(IndexAdmin.List(dataset.Current.Manifest));
    }

    /// <summary>The statistics of the index named <paramref name="name"/> as LanceDB's <c>indexStats</c> reports them; null when there is no such index.</summary>
    /// <exception cref="LanceFormatException">A vector index of this engine's older format cannot be read (its distance is kept in its file).</exception>
    public static Task<IndexStatistics?> IndexStatsAsync(this LanceDataset dataset, string name, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        ArgumentException.ThrowIfNullOrEmpty(name);
        cancellationToken.ThrowIfCancellationRequested();
        return Task.FromResult(IndexAdmin.Stats(dataset.Current.Manifest, dataset.IndexCache, name));
    }

    /// <summary>Removes the index named <paramref name="name"/> from the table as one new version (LanceDB's <c>dropIndex</c>); its files go when old versions are cleaned up.</summary>
    /// <exception cref="LanceIndexException">There is no index of that name; nothing is committed.</exception>
    public static Task DropIndexAsync(this LanceDataset dataset, string name, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        ArgumentException.ThrowIfNullOrEmpty(name);
        dataset.Head.ThrowIfReadOnly();
        return IndexAdmin.DropAsync(dataset.Current, dataset.Log, name, dataset.Head.Follow, cancellationToken);
    }

    /// <summary>
    /// Builds a scalar index on <paramref name="column"/> in Lance's own format (LanceDB uses it too) and
    /// commits it as a new version. Filters and prefiltered searches then answer from it the rows it covers.
    /// </summary>
    /// <param name="dataset">The dataset to index.</param>
    /// <param name="column">A top-level column of numbers, strings, binary, booleans, dates or timestamps.</param>
    /// <param name="kind">BTREE (ranges and equality, any cardinality) or BITMAP (equality on few distinct values).</param>
    /// <param name="name">The index name; <c>&lt;column&gt;_idx</c> when null.</param>
    /// <param name="replace">Whether an index of that name is rebuilt (LanceDB's default); when false it is an error.</param>
    /// <param name="cancellationToken">Cancels the build; nothing is committed then.</param>
    /// <exception cref="LanceIndexException">No such column, a type the kind cannot index, or the name is taken and <paramref name="replace"/> is false.</exception>
    public static Task<ScalarIndexInfo> CreateScalarIndexAsync(
        this LanceDataset dataset, string column, ScalarIndexKind kind, string? name = null, bool replace = true, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        ArgumentException.ThrowIfNullOrEmpty(column);
        dataset.Head.ThrowIfReadOnly();
        return ScalarIndexBuilder.CreateAsync(dataset.Current, dataset.Log, column, kind, name, replace, dataset.Head.Follow, cancellationToken);
    }

    /// <summary>The scalar indexes (BTREE, BITMAP) of the current version that filters use, LanceDB's and ours alike.</summary>
    /// <exception cref="LanceFormatException">An index's files are missing or unreadable.</exception>
    public static IReadOnlyList<ScalarIndexInfo> ListScalarIndices(this LanceDataset dataset)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        var snapshot = dataset.Current;
        return IndexedColumn.Of(snapshot.Manifest).Values
            .SelectMany(c => c.Segments.Select(s => ScalarIndexBuilder.Describe(snapshot.Manifest, s, ScalarIndexReader.Load(snapshot.Files, snapshot.Manifest, s, c.Kind, c.Column), 0)))
            .ToList();
    }
}
