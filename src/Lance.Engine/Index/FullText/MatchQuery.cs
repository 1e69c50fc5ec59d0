namespace Lance.Engine.Index.FullText;

/// <summary>Rows holding the terms of <see cref="Text"/> (after the index's tokenizer), ranked by BM25 (LanceDB's <c>MatchQuery</c>).</summary>
/// <param name="Text">The query text.</param>
/// <param name="Column">The column searched; null for the only column with a full-text index.</param>
public sealed record MatchQuery(string Text, string? Column = null) : FullTextQuery
{
    /// <summary>Whether any term (the default) or every term must occur.</summary>
    public FullTextOperator Operator { get; init; } = FullTextOperator.Or;

    /// <summary>The edit distance a term may be away from an indexed token (0: exact).</summary>
    public int Fuzziness { get; init; }

    /// <summary>How many leading characters a fuzzy match keeps unchanged.</summary>
    public int PrefixLength { get; init; }

    /// <summary>How many indexed tokens a fuzzy term expands to at most.</summary>
    public int MaxExpansions { get; init; } = 50;

    /// <summary>The factor applied to this query's scores.</summary>
    public float Boost { get; init; } = 1f;

    internal override IEnumerable<string?> ReferencedColumns() => [Column];
}
