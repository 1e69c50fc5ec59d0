using Lance.Engine;

namespace Lance.Orm;

/// <summary>Index management on a table (typed or untyped), as LanceDB's table offers it.</summary>
public partial class Table
{
    /// <summary>
    /// Builds an IVF-PQ index on the vector column <paramref name="column"/> and commits a new version recording it.
    /// An index of the same name is rebuilt unless <see cref="IvfPqOptions.Replace"/> is false.
    /// </summary>
    /// <exception cref="LanceIndexException">The column is not a vector column, or the options do not fit the data; nothing is committed.</exception>
    /// <exception cref="LanceIndexExistsException">The name is taken and <see cref="IvfPqOptions.Replace"/> is false.</exception>
    public Task<VectorIndexInfo> CreateIndexAsync(string column, IvfPqOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(column);
        return LanceTelemetry.TraceAsync(this, "create_index", () => Dataset.CreateIndexAsync(column, options, cancellationToken));
    }

    /// <summary>Every index of the table (vector, scalar and full-text; built here or by LanceDB), one per name, as LanceDB's <c>listIndices</c>.</summary>
    public Task<IReadOnlyList<IndexDescription>> ListIndicesAsync(CancellationToken cancellationToken = default) => Dataset.ListIndicesAsync(cancellationToken);

    /// <summary>Rows indexed and not yet indexed, kind, distance and parts of the index named <paramref name="name"/>, as LanceDB's <c>indexStats</c>; null when there is no such index.</summary>
    public Task<IndexStatistics?> IndexStatsAsync(string name, CancellationToken cancellationToken = default) => Dataset.IndexStatsAsync(name, cancellationToken);

    /// <summary>Removes the index named <paramref name="name"/> as one new version.</summary>
    /// <exception cref="LanceIndexException">There is no index of that name.</exception>
    public Task DropIndexAsync(string name, CancellationToken cancellationToken = default) => Dataset.DropIndexAsync(name, cancellationToken);

    /// <summary>
    /// Folds rows added since an index was built into it and drops deleted rows (every vector and scalar index when
    /// <paramref name="name"/> is null), as LanceDB's optimize does for indexes.
    /// </summary>
    /// <exception cref="LanceIndexException">No index has that name, or this engine cannot rebuild its kind.</exception>
    public Task OptimizeIndexAsync(string? name = null, CancellationToken cancellationToken = default)
        => Dataset.OptimizeIndexAsync(name, cancellationToken);
}
