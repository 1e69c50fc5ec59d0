using Apache.Arrow;
using Lance.Engine.Query.Filtering;

namespace Lance.Engine.Query;

/// <summary>
/// A filter, or a value inside one, as a tree: the public form of the engine's filter language
/// that callers build in code instead of writing SQL (the ORM's LINQ translator builds it). A
/// request carries it unbound; the dataset checks it against its schema when the request runs, so
/// an unknown column or a type mismatch is a <see cref="LanceFilterException"/> naming the dataset.
/// SQL semantics apply: a comparison with NULL is NULL, and a row passes only where the filter is
/// known to be true.
/// </summary>
public abstract record FilterNode
{
    private protected FilterNode()
    {
    }

    /// <summary>The tree as SQL that LanceDB accepts (e.g. <c>((score &gt; 0.5) AND (name IS NOT NULL))</c>).</summary>
    /// <exception cref="LanceFilterException">A <see cref="FilterSql"/> part of the tree is not valid SQL.</exception>
    public string ToSql() => FilterLowering.Lower(this, "filter").ToSql();

    /// <summary>The tree as SQL (see <see cref="ToSql"/>).</summary>
    public sealed override string ToString() => ToSql();

    /// <summary>Both filters: <c>left AND right</c>.</summary>
    public static FilterNode And(FilterNode left, FilterNode right) => new FilterLogical(LogicalOperator.And, left, right);

    /// <summary>Either filter: <c>left OR right</c>.</summary>
    public static FilterNode Or(FilterNode left, FilterNode right) => new FilterLogical(LogicalOperator.Or, left, right);

    /// <summary>
    /// Checks the filter against <paramref name="batch"/>'s schema and evaluates it over every row, in
    /// memory: true where the row passes (a NULL result is false).
    /// </summary>
    /// <param name="batch">The rows; the filter's columns are looked up by name.</param>
    /// <param name="source">What the rows are, for error messages (a table name or a path).</param>
    /// <exception cref="LanceFilterException">An unknown column, mismatched types, or an evaluation error (division by zero).</exception>
    public bool[] Evaluate(RecordBatch batch, string source)
    {
        ArgumentNullException.ThrowIfNull(batch);
        ArgumentNullException.ThrowIfNull(source);
        return RowFilter.FromExpression(FilterLowering.Lower(this, source), batch.Schema, source).Evaluate(batch);
    }

    /// <summary>
    /// This node as a value expression (<c>score * 2</c>, <c>lower(name)</c>) checked against
    /// <paramref name="schema"/>: a function from a batch of rows with that schema to the values the
    /// expression takes on each row, converted to <paramref name="target"/>'s type (as an update that
    /// computes a column from the row needs).
    /// </summary>
    /// <param name="schema">The schema of the batches the function is given.</param>
    /// <param name="target">The column the values are for: its type and nullability.</param>
    /// <param name="source">What the rows are, for error messages (a table name or a path).</param>
    /// <exception cref="LanceFilterException">An unknown column or function, or mismatched types.</exception>
    public Func<RecordBatch, IArrowArray> CompileValue(Schema schema, Field target, string source)
    {
        ArgumentNullException.ThrowIfNull(schema);
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(source);
        var value = SqlValue.Parse(FilterLowering.Lower(this, source).ToSql(), schema, source);
        return batch => value.Evaluate(batch, target);
    }
}
