using Lance.Engine.Index;

namespace Lance.Engine;

/// <summary>Index management members of <see cref="LanceDataset"/>, as LanceDB's table offers them.</summary>
public sealed partial class LanceDataset
{
    /// <summary>Every index of the current version (vector, scalar and full-text; built here or by LanceDB), one per name, ordered by name as LanceDB's <c>listIndices</c> lists them.</summary>
    public Task<IReadOnlyList<IndexDescription>> ListIndicesAsync(CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return Task.FromResult(IndexAdmin.List(Current.Manifest));
    }

    /// <summary>The statistics of the index named <paramref name="name"/> as LanceDB's <c>indexStats</c> reports them; null when there is no such index.</summary>
    /// <exception cref="LanceFormatException">A vector index of this engine's older format cannot be read (its distance is kept in its file).</exception>
    public Task<IndexStatistics?> IndexStatsAsync(string name, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        cancellationToken.ThrowIfCancellationRequested();
        return Task.FromResult(IndexAdmin.Stats(Current.Manifest, _indexes, name));
    }

    /// <summary>Removes the index named <paramref name="name"/> from the table as one new version (LanceDB's <c>dropIndex</c>); its files go when old versions are cleaned up.</summary>
    /// <exception cref="LanceIndexException">There is no index of that name; nothing is committed.</exception>
    public Task DropIndexAsync(string name, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        _head.ThrowIfReadOnly();
        return IndexAdmin.DropAsync(Current, Log, name, _head.Follow, cancellationToken);
    }
}
