namespace Lance.Orm.Embeddings;

/// <summary>Settings of a <see cref="CrossEncoderReranker"/>.</summary>
public sealed class CrossEncoderOptions
{
    /// <summary>The text column each row is scored by against the query (LanceDB's default <c>"text"</c>).</summary>
    public string Column { get; init; } = "text";

    /// <summary>
    /// The logit's activation; null takes the model folder's (<c>config.json</c>'s
    /// <c>sentence_transformers.activation_fn</c>), else sigmoid for a one-label model as
    /// sentence-transformers does.
    /// </summary>
    public CrossEncoderActivation? Activation { get; init; }

    /// <summary>For a model with several labels, the label whose logit is the relevance (default the last).</summary>
    public int? LabelIndex { get; init; }

    /// <summary>The most tokens per (query, text) pair, specials included; null takes the tokenizer's limit (512 when it has none).</summary>
    public int? MaxTokens { get; init; }

    /// <summary>How many pairs run through the model at once (default 32).</summary>
    public int MaxBatchSize { get; init; } = 32;

    /// <summary>ONNX Runtime's threads for one inference (default 1).</summary>
    public int IntraOpThreads { get; init; } = 1;
}
