namespace Lance.Orm;

/// <summary>One sort key of a plain query (LanceDB's <c>ColumnOrdering</c>).</summary>
/// <param name="Column">The column to sort by.</param>
/// <param name="Descending">Largest first.</param>
/// <param name="NullsFirst">Nulls before every value (LanceDB's default is last, in both directions).</param>
internal sealed record ColumnOrder(string Column, bool Descending, bool NullsFirst);
