using Apache.Arrow;

namespace Lance.Orm;

/// <summary>
/// Marks a <c>partial</c> record or class as a Lance table row. The Lance.Orm source generator
/// completes the type with <see cref="ILanceModel{TSelf}"/>: its Arrow schema, row serializers and
/// embedding bindings, all resolved at compile time.
/// </summary>
public interface ILanceModel
{
}

/// <summary>
/// What the source generator emits for a model: static members that the typed table
/// (<c>Table&lt;T&gt;</c>) calls without reflection. Not meant to be implemented by hand.
/// </summary>
/// <typeparam name="TSelf">The model type itself.</typeparam>
public interface ILanceModel<TSelf> : ILanceModel
    where TSelf : ILanceModel<TSelf>
{
    /// <summary>The Arrow schema of the table, one field per mapped member, without embedding metadata.</summary>
    static abstract Schema ArrowSchema { get; }

    /// <summary>The vector columns filled by an embedding function, with the column each reads from.</summary>
    static abstract IReadOnlyList<EmbeddingBinding> EmbeddingBindings { get; }

    /// <summary>Which column each member is stored in (nested models included), as the generator mapped it.</summary>
    static abstract ModelColumnMap ColumnMap { get; }

    /// <summary>
    /// Writes <paramref name="rows"/> into one record batch of <see cref="ArrowSchema"/>. A vector
    /// that is null or empty is written as null (to be filled by its embedding function); a vector
    /// of any other wrong length throws <see cref="LanceSchemaException"/>.
    /// </summary>
    static abstract RecordBatch ToRecordBatch(ReadOnlySpan<TSelf> rows);

    /// <summary>
    /// Writes <paramref name="rows"/> as <see cref="ToRecordBatch(ReadOnlySpan{TSelf})"/> does, except
    /// that a vector of the wrong length (in this model or a nested one) is treated as
    /// <paramref name="badVectors"/> says: an error, the fill vector, or null.
    /// </summary>
    static abstract RecordBatch ToRecordBatch(ReadOnlySpan<TSelf> rows, BadVectorPolicy badVectors);

    /// <summary>
    /// Materialises every row of <paramref name="batch"/> into <paramref name="destination"/>.
    /// Columns are matched by name: a member whose column is absent keeps its default, columns the
    /// model does not know (such as <c>_distance</c>) are ignored, and a column of the wrong Arrow
    /// type throws <see cref="LanceSchemaException"/>.
    /// </summary>
    static abstract void ReadRecordBatch(RecordBatch batch, ICollection<TSelf> destination);

    /// <summary>
    /// A new row whose members hold the values a new row starts with (required members set to their
    /// defaults): what a reader keeps for absent columns, and what a null nested model is written as.
    /// </summary>
    static abstract TSelf CreateDefault();
}
