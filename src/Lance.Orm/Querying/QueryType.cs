namespace Lance.Orm;

/// <summary>
/// How a text search finds rows, as LanceDB's <c>query_type</c>: by meaning (the text embedded with the
/// column's embedding function), by keywords (a full-text index), or by both fused through a reranker.
/// </summary>
public enum QueryType
{
    /// <summary>By meaning when the table has an embedding function for the text, as LanceDB's <c>"auto"</c>.</summary>
    Auto = 0,

    /// <summary>By meaning: the text is embedded and the nearest vectors are returned.</summary>
    Vector = 1,

    /// <summary>By keywords: BM25 over a full-text index of the text column.</summary>
    FullText = 2,

    /// <summary>Both, fused by a reranker (reciprocal rank fusion unless another is given).</summary>
    Hybrid = 3,
}
