using Lance.Engine;

namespace Lance.Orm;

/// <summary>Scalar indexes on a table.</summary>
public partial class Table
{
    /// <summary>
    /// Builds a scalar index on the column <paramref name="column"/> and commits a new version recording it;
    /// filters and prefiltered searches then answer from it the rows it covers.
    /// </summary>
    /// <exception cref="LanceIndexException">No such column, a type the index kind cannot take, or the name is taken and <see cref="ScalarIndexConfig.Replace"/> is false; nothing is committed.</exception>
    public Task<ScalarIndexInfo> CreateScalarIndexAsync(string column, ScalarIndexConfig config, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(column);
        ArgumentNullException.ThrowIfNull(config);
        return Dataset.CreateScalarIndexAsync(column, config.Kind, config.Name, config.Replace, cancellationToken);
    }

    /// <summary>The scalar indexes (BTREE, BITMAP) of the current version, LanceDB's and ours alike.</summary>
    public IReadOnlyList<ScalarIndexInfo> ListScalarIndices() => Dataset.ListScalarIndices();
}
