namespace Lance.Orm;

/// <summary>
/// Marks an <c>int</c> member (nullable allowed) that the results of a search with several query vectors
/// (<c>table.Search(vectors)</c>) fill with the position of the vector the row was found for (LanceDB's
/// <c>query_index</c>). It is not a column of the table: it is never written, and any other query leaves
/// it at its default.
/// </summary>
[AttributeUsage(AttributeTargets.Property, AllowMultiple = false)]
public sealed class QueryIndexAttribute : Attribute
{
}
