namespace Lance.Orm;

/// <summary>
/// Marks a <c>float</c> or <c>double</c> member (nullable allowed) that reranked and hybrid search
/// results fill with the row's relevance (LanceDB's <c>_relevance_score</c>; higher is more
/// relevant). It is not a column of the table: it is never written, and a query without a
/// reranker leaves it at its default.
/// </summary>
[AttributeUsage(AttributeTargets.Property, AllowMultiple = false)]
public sealed class RelevanceAttribute : Attribute
{
}
