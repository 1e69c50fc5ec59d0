namespace Lance.Engine.Index.FullText;

/// <summary>Rows holding the terms of <see cref="Text"/> in order, at most <see cref="Slop"/> positions apart (LanceDB's <c>PhraseQuery</c>; the index must keep positions).</summary>
/// <param name="Text">The phrase.</param>
/// <param name="Column">The column searched; null for the only column with a full-text index.</param>
public sealed record PhraseQuery(string Text, string? Column = null) : FullTextQuery
{
    /// <summary>How many other positions may lie between consecutive terms.</summary>
    public int Slop { get; init; }

    internal override IEnumerable<string?> ReferencedColumns() => [Column];
}
