using System.Linq.Expressions;
using Lance.Engine;

namespace Lance.Orm;

/// <summary>Scalar indexes on a typed table.</summary>
public sealed partial class Table<T>
{
    /// <summary>
    /// Builds a scalar index on the property <paramref name="column"/> (e.g. <c>x =&gt; x.Age</c>) and commits a
    /// new version recording it; filters and prefiltered searches then answer from it the rows it covers
    /// (rows added later are scanned until the index is rebuilt).
    /// </summary>
    /// <exception cref="LanceIndexException">The column's type cannot take this index kind, or the name is taken and <see cref="ScalarIndexConfig.Replace"/> is false; nothing is committed.</exception>
    public Task<ScalarIndexInfo> CreateScalarIndexAsync<TValue>(Expression<Func<T, TValue>> column, ScalarIndexConfig config, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(column);
        return CreateScalarIndexAsync(ColumnOf(column), config, cancellationToken);
    }
}
