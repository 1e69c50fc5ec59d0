using Microsoft.Extensions.VectorData;

namespace SemanticKernelRag;

/// <summary>One passage of the knowledge base; its text is embedded by the store's generator (MiniLM, 384 dimensions).</summary>
public sealed class Passage
{
    [VectorStoreKey] public long Id { get; set; }

    [VectorStoreData] public string Topic { get; set; } = "";

    /// <summary>The passage; full-text indexed, so hybrid searches match the question's keywords in it too.</summary>
    [VectorStoreData(IsFullTextIndexed = true)] public string Text { get; set; } = "";

    /// <summary>The text again, as the input MEVD embeds on upsert (the vector itself is stored, not this string).</summary>
    [VectorStoreVector(384, DistanceFunction = DistanceFunction.CosineSimilarity)]
    public string? Embedding { get; set; }
}
