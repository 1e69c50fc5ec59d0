namespace Lance.Orm.Embeddings;

/// <summary>Whether texts are documents being stored or a query being searched for (providers that embed them differently are told).</summary>
public enum EmbeddingInputKind
{
    /// <summary>Rows being added to a table (LanceDB's source embeddings).</summary>
    Document,

    /// <summary>A search query.</summary>
    Query,
}
