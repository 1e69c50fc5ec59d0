using Apache.Arrow;
using Lance.Engine.Dataset;

namespace Lance.Engine.Query.Filtering;

/// <summary>
/// A filter checked against a dataset's schema, ready to run over record batches column-at-a-time.
/// SQL NULL counts as false: a row passes only where the filter is known to be true.
/// </summary>
internal sealed class RowFilter : IRowPredicate
{
    private readonly BoundNode _root;
    private readonly string? _text;
    private readonly string _source;

    private RowFilter(FilterExpression expression, BoundNode root, IReadOnlyList<string> columns, string? text, string source)
    {
        Expression = expression;
        _root = root;
        Columns = columns;
        _text = text;
        _source = source;
    }

    /// <summary>The filter as a tree.</summary>
    public FilterExpression Expression { get; }

    /// <summary>The top-level columns the filter reads, in schema order.</summary>
    public IReadOnlyList<string> Columns { get; }

    /// <summary>Whether scalar indexes may answer this filter (true unless a request turns them off); the rows are the same either way.</summary>
    public bool UseScalarIndex { get; set; } = true;

    /// <summary>The filter as SQL (the text it was parsed from, or the tree written out).</summary>
    public string Sql => _text ?? Expression.ToSql();

    /// <summary>Parses and checks <paramref name="sql"/> against <paramref name="schema"/>.</summary>
    /// <exception cref="LanceFilterException">A syntax error, an unknown column or function, or mismatched types; with the position.</exception>
    public static RowFilter Parse(string sql, Schema schema, string datasetPath)
    {
        ArgumentNullException.ThrowIfNull(sql);
        ArgumentNullException.ThrowIfNull(schema);
        var expression = FilterParser.Parse(sql, datasetPath);
        var (root, columns) = FilterBinder.Bind(expression, schema, datasetPath, sql);
        return new RowFilter(expression, root, columns, sql, datasetPath);
    }

    /// <summary>Checks an already built tree (the LINQ translator's) against <paramref name="schema"/>.</summary>
    /// <exception cref="LanceFilterException">An unknown column or mismatched types.</exception>
    public static RowFilter FromExpression(FilterExpression expr, Schema schema, string datasetPath)
    {
        ArgumentNullException.ThrowIfNull(expr);
        ArgumentNullException.ThrowIfNull(schema);
        var (root, columns) = FilterBinder.Bind(expr, schema, datasetPath, null);
        return new RowFilter(expr, root, columns, null, datasetPath);
    }

    /// <summary>
    /// Evaluates the filter over every row of <paramref name="batch"/>, which must hold at least
    /// <see cref="Columns"/> (by name). True where the row passes; null results are false.
    /// </summary>
    /// <exception cref="LanceFilterException">Evaluation failed (division by zero, a string that does not cast).</exception>
    public bool[] Evaluate(RecordBatch batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        var context = new EvaluationContext(batch, Error);
        var result = BoundLogical.AsBool(_root.Evaluate(context), batch.Length);
        var values = result.Bools!;
        if (result.Valid is null)
        {
            // A bare boolean column's values are shared with the column cache: callers own what they get.
            return _root is BoundColumn ? (bool[])values.Clone() : values;
        }

        var passes = new bool[batch.Length];
        for (var i = 0; i < passes.Length; i++)
        {
            passes[i] = values[i] & result.Valid[i];
        }

        return passes;
    }

    private LanceFilterException Error(string message, int position) => _text is not null
        ? FilterParser.Error(_text, _source, message, Math.Max(0, position))
        : new LanceFilterException($"Filter failed on '{_source}': {message}. The filter was: {Expression.ToSql()}");
}
