namespace Lance.Engine.Index.FullText;

/// <summary>Must / should / must-not clauses (LanceDB's <c>BooleanQuery</c>): rows matching every must clause (or, with none, any should clause), less those matching a must-not clause; scores add up.</summary>
/// <param name="Clauses">The clauses; at least one must or should clause.</param>
public sealed record BooleanQuery(IReadOnlyList<BooleanClause> Clauses) : FullTextQuery
{
    internal override IEnumerable<string?> ReferencedColumns() => Clauses.SelectMany(c => c.Query.ReferencedColumns());
}
