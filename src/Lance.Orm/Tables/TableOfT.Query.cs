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

    /// <summary>
    /// Searches with several query vectors in one call (LanceDB's multi-vector query): each vector gets the
    /// query's limit and offset, and every row comes back with a <c>query_index</c> column (first, as in
    /// LanceDB) holding its vector's position, rows grouped by query in order, nearest first within a query.
    /// Exact searches share one pass over the vectors; <c>ToSearchResultsAsync</c> gives each row's
    /// <see cref="SearchResult{T}.QueryIndex"/>, and a <c>[QueryIndex]</c> member of the model is filled.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="vectors"/> is empty.</exception>
    public new VectorQuery<T> Search(IEnumerable<float[]> vectors) => Search(QueryInput.FromVectors(vectors));

    /// <inheritdoc cref="Search(IEnumerable{float[]})"/>
    public new VectorQuery<T> Search(IEnumerable<ReadOnlyMemory<float>> vectors) => Search(QueryInput.FromVectors(vectors));

    /// <summary>Searches with <paramref name="input"/>: text or an image (embedded when the query runs), or a vector.</summary>
    public new VectorQuery<T> Search(QueryInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        return new VectorQuery<T>(this, input);
    }

    /// <summary>A plain query over the rows (no vector): add <c>Where</c>, <c>Select</c>, <c>Limit</c>, <c>Offset</c>.</summary>
    public new LanceQuery<T> Query() => new(this);

    /// <summary>Counts the rows for which <paramref name="predicate"/> holds (translated, never run in memory).</summary>
    /// <exception cref="NotSupportedException">A part of the predicate cannot be translated.</exception>
    public Task<long> CountRowsAsync(Expression<Func<T, bool>> predicate, CancellationToken cancellationToken = default)
        => Query().Where(predicate).CountAsync(cancellationToken);

    /// <summary>Deletes the rows for which <paramref name="predicate"/> holds (translated, never run in memory), as one new version.</summary>
    /// <returns>The number of rows deleted.</returns>
    /// <exception cref="NotSupportedException">A part of the predicate cannot be translated; nothing is deleted.</exception>
    public Task<long> DeleteAsync(Expression<Func<T, bool>> predicate, CancellationToken cancellationToken = default)
    {
        return Dataset.DeleteAsync(LinqFilterTranslator.Translate(predicate, Schema, T.ColumnMap), cancellationToken);
    }

    /// <summary>
    /// Sets members of the rows for which <paramref name="predicate"/> holds, as one new version:
    /// <c>UpdateAsync(x =&gt; x.Id == 3, x =&gt; new Doc { Score = 1.5, Text = "new" })</c>. Only the
    /// members the initializer names change. A value that reads the row (<c>Score = x.Score * 2</c>)
    /// is translated like a filter and computed per row; other values are evaluated once, here, and
    /// written by the model's generated writer, so every member type an add stores (dates and times
    /// of every kind, <see cref="Guid"/>, <see cref="decimal"/>, enums, lists, nested models,
    /// vectors) is stored the same way by an update. Setting a <c>[Source]</c> member recomputes its vector from the
    /// new value with the table's embedding function (unless the update sets the vector too), in the same version.
    /// </summary>
    /// <returns>The number of rows updated.</returns>
    /// <exception cref="NotSupportedException">The predicate or a value cannot be translated, or the update is not an object initializer; nothing is updated.</exception>
    /// <exception cref="LanceSchemaException">A value does not fit its column (e.g. a vector of the wrong length, a decimal with too many digits); nothing is updated.</exception>
    public Task<long> UpdateAsync(Expression<Func<T, bool>> predicate, Expression<Func<T, T>> update, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(predicate);
        ArgumentNullException.ThrowIfNull(update);
        var schema = Schema;
        var filter = LinqFilterTranslator.Translate(predicate, schema, T.ColumnMap);
        var setters = Updating.ModelUpdate.Setters(update, schema, Name, Dataset.Path);
        return Dataset.UpdateAsync(filter, setters, ReembedUpdated(setters.Keys), cancellationToken);
    }
}
