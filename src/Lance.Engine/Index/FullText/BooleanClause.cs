namespace Lance.Engine.Index.FullText;

/// <summary>One clause of a <see cref="BooleanQuery"/>.</summary>
/// <param name="Occur">How the clause takes part.</param>
/// <param name="Query">The clause's query.</param>
public sealed record BooleanClause(Occur Occur, FullTextQuery Query);
