namespace SemanticKernelRag;

/// <summary>The sample's knowledge base: short passages about Lance, tagged by topic.</summary>
internal static class KnowledgeBase
{
    public static IReadOnlyList<(string Topic, string Text)> Passages { get; } =
    [
        ("format", "Lance is a columnar data format for machine learning, with fast random access and built-in versioning."),
        ("format", "Every write creates a new table version; older versions stay readable until they are cleaned up."),
        ("interop", "A table written by Lance.Orm opens in LanceDB for Python, Node and Rust without conversion."),
        ("interop", "Spark, Ray and DuckDB read Lance tables directly, so data moves to a cluster without an export step."),
        ("search", "Vector search finds the rows whose embeddings are nearest to the query under cosine, L2 or dot distance."),
        ("search", "Filters run before the nearest rows are chosen, so a filtered search still returns the requested number of rows."),
        ("embeddings", "MiniLM turns a sentence into 384 numbers; sentences with similar meaning get similar vectors."),
        ("embeddings", "Embedding functions are stored with the table, so queries are embedded the same way after reopening."),
        ("storage", "Tables live in a local folder or in object storage such as S3 or Azure Blob, addressed by URI."),
        ("storage", "Commits are atomic: a crashed writer never leaves a half-written version behind."),
        ("trivia", "The lance is a long spear used by mounted soldiers."),
        ("trivia", "Spark plugs ignite the fuel in a petrol engine."),
    ];
}
