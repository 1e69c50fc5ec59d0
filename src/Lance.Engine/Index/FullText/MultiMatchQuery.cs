namespace Lance.Engine.Index.FullText;

/// <summary>A match query over several columns; a row's score is its best column's (LanceDB's <c>MultiMatchQuery</c>).</summary>
/// <param name="Text">The query text.</param>
/// <param name="Columns">The columns searched, each with a full-text index.</param>
public sealed record MultiMatchQuery(string Text, IReadOnlyList<string> Columns) : FullTextQuery
{
    /// <summary>Per column, the factor applied to its scores (1 when absent).</summary>
    public IReadOnlyList<float>? Boosts { get; init; }

    /// <summary>Whether any term (the default) or every term must occur in a column.</summary>
    public FullTextOperator Operator { get; init; } = FullTextOperator.Or;

    internal override IEnumerable<string?> ReferencedColumns() => Columns;
}
