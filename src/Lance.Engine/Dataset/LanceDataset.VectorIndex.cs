using Lance.Engine.Index;

namespace Lance.Engine;

/// <summary>Vector index members of <see cref="LanceDataset"/> beyond IVF-PQ.</summary>
public sealed partial class LanceDataset
{
    /// <summary>
    /// Builds a vector index of the kind <paramref name="config"/> names (IVF_PQ, IVF_FLAT, IVF_SQ or
    /// IVF_HNSW_SQ, in Lance's format, so LanceDB uses it too) over <paramref name="column"/> and commits
    /// a version recording it (replacing one of the same name). Later rows are searched exactly until
    /// <see cref="OptimizeIndexAsync"/>.
    /// </summary>
    /// <exception cref="LanceIndexException">The column cannot be indexed with this configuration; nothing is committed.</exception>
    /// <exception cref="OperationCanceledException">The build was cancelled; nothing is committed and no index file is left.</exception>
    public Task<VectorIndexInfo> CreateIndexAsync(string column, IndexConfig config, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(column);
        ArgumentNullException.ThrowIfNull(config);
        _head.ThrowIfReadOnly();
        return IndexWriter.CreateAsync(Current, _indexes, Log, column, config, _head.Follow, cancellationToken);
    }
}
