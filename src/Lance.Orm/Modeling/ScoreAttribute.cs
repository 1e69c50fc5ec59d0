namespace Lance.Orm;

/// <summary>
/// Marks a <c>float</c> or <c>double</c> member (nullable allowed) that full-text and hybrid search
/// results fill with the row's BM25 score (LanceDB's <c>_score</c>; higher is better). It is not a
/// column of the table: it is never written, and a query without full-text search leaves it at its
/// default (a hybrid search leaves it null, or default, for a row only the vector search found).
/// </summary>
[AttributeUsage(AttributeTargets.Property, AllowMultiple = false)]
public sealed class ScoreAttribute : Attribute
{
}
