namespace Lance.Orm.Embeddings;

/// <summary>What a cross-encoder's raw logit is turned into before it becomes <c>_relevance_score</c>.</summary>
public enum CrossEncoderActivation
{
    /// <summary>The logistic function, 1 / (1 + e^−x): a score in (0, 1), as sentence-transformers gives for a one-label model.</summary>
    Sigmoid,

    /// <summary>The raw logit, unchanged.</summary>
    Identity,
}
