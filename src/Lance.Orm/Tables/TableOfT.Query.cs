using System.Linq.Expressions;

namespace Lance.Orm;

/// <summary>Querying a table of <typeparamref name="T"/>: typed searches, queries and counts with LINQ filters.</summary>
public sealed partial class Table<T>
{
    /// <summary>Searches by text: the query is embedded by the model's embedding function.</summary>
    public new VectorQuery<T> Search(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return new VectorQuery<T>(this, QueryInput.FromText(text));
    }

    /// <summary>Searches by vector.</summary>
    public new VectorQuery<T> Search(ReadOnlyMemory<float> vector) => new(this, QueryInput.FromVector(vector));

    /// <summary>Searches by vector.</summary>
    public new VectorQuery<T> Search(float[] vector)
    {
        ArgumentNullException.ThrowIfNull(vector);
        return Search(vector.AsMemory());
    }

    /// <summary>A plain query over the rows (no vector): add <c>Where</c>, <c>Select</c>, <c>Limit</c>, <c>Offset</c>.</summary>
    public new LanceQuery<T> Query() => new(this);

    /// <summary>Counts the rows for which <paramref name="predicate"/> holds (translated, never run in memory).</summary>
    /// <exception cref="NotSupportedException">A part of the predicate cannot be translated.</exception>
    public Task<long> CountRowsAsync(Expression<Func<T, bool>> predicate, CancellationToken cancellationToken = default)
        => Query().Where(predicate).CountAsync(cancellationToken);
}
