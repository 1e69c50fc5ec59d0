using System.Linq.Expressions;
using System.Reflection;
using Lance.Engine;

namespace Lance.Orm;

/// <summary>Vector indexes on a typed table.</summary>
public sealed partial class Table<T>
{
    /// <summary>
    /// Builds an IVF-PQ index on the vector property <paramref name="column"/> (e.g.
    /// <c>x =&gt; x.Vector</c>) and commits a new version recording it. Searches with the index's
    /// metric then use it (<see cref="VectorSearchRequest.Nprobes"/> partitions, default 20);
    /// rows added later are searched exactly until <see cref="OptimizeIndexAsync"/>.
    /// </summary>
    /// <exception cref="LanceIndexException">The property is not a vector column, or the options do not fit the data; nothing is committed.</exception>
    public Task<VectorIndexInfo> CreateIndexAsync<TVector>(Expression<Func<T, TVector>> column, IvfPqOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(column);
        var name = ColumnOf(column);
        return LanceTelemetry.TraceAsync(this, "create_index", () => Dataset.CreateIndexAsync(name, options, cancellationToken));
    }

    /// <summary>
    /// Builds a vector index of the kind <paramref name="config"/> names (e.g.
    /// <c>IndexConfig.IvfHnswSq(numPartitions: 64)</c>) on the vector property <paramref name="column"/>,
    /// in Lance's format (LanceDB uses it too), and commits a new version recording it.
    /// </summary>
    /// <exception cref="LanceIndexException">The property is not a vector column, or the configuration does not fit the data; nothing is committed.</exception>
    public Task<VectorIndexInfo> CreateIndexAsync<TVector>(Expression<Func<T, TVector>> column, IndexConfig config, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(column);
        ArgumentNullException.ThrowIfNull(config);
        var name = ColumnOf(column);
        return LanceTelemetry.TraceAsync(this, "create_index", () => Dataset.CreateIndexAsync(name, config, cancellationToken));
    }

    /// <summary>Folds rows added since the index was built into it (every vector index when <paramref name="name"/> is null).</summary>
    /// <exception cref="LanceIndexException">No index has that name.</exception>
    public Task OptimizeIndexAsync(string? name = null, CancellationToken cancellationToken = default)
        => Dataset.OptimizeIndexAsync(name, cancellationToken);

    /// <summary>The vector indexes of the current version.</summary>
    public IReadOnlyList<VectorIndexInfo> ListIndices() => Dataset.ListIndices();

    /// <summary>The column a property selector names: as the model's generated column map says.</summary>
    private string ColumnOf(LambdaExpression selector)
    {
        var body = selector.Body is UnaryExpression { NodeType: ExpressionType.Convert } convert ? convert.Operand : selector.Body;
        if (body is not MemberExpression { Member: PropertyInfo property } member || member.Expression != selector.Parameters[0])
        {
            throw new ArgumentException($"Table '{Name}': the column selector must name a property of {typeof(T).Name}, like x => x.Vector; got {selector}.", nameof(selector));
        }

        return T.ColumnMap.ColumnOf(property.Name)
            ?? throw new ArgumentException($"Table '{Name}': {typeof(T).Name}.{property.Name} is not stored in a column (it is ignored or computed).", nameof(selector));
    }
}
