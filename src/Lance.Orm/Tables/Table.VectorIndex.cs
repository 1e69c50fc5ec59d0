using Lance.Engine;

namespace Lance.Orm;

/// <summary>Vector indexes of any kind on a table, by column name.</summary>
public partial class Table
{
    /// <summary>
    /// Builds a vector index of the kind <paramref name="config"/> names (<see cref="IndexConfig.IvfPq"/>,
    /// <see cref="IndexConfig.IvfFlat"/>, <see cref="IndexConfig.IvfSq"/>, <see cref="IndexConfig.IvfHnswSq"/>)
    /// on the vector column <paramref name="column"/>, in Lance's format (LanceDB uses it too), and commits
    /// a new version recording it. Searches with the index's distance then use it.
    /// </summary>
    /// <exception cref="LanceIndexException">No such column, not a vector column, or a configuration that does not fit the data; nothing is committed.</exception>
    public Task<VectorIndexInfo> CreateIndexAsync(string column, IndexConfig config, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(column);
        ArgumentNullException.ThrowIfNull(config);
        return LanceTelemetry.TraceAsync(this, "create_index", () => Dataset.CreateIndexAsync(column, config, cancellationToken));
    }
}
