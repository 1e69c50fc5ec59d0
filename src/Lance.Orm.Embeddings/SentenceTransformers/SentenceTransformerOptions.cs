namespace Lance.Orm.Embeddings;

/// <summary>
/// Settings for <see cref="SentenceTransformer"/>. Null settings are read from the model folder
/// (sentence-transformers' files), as sentence-transformers itself reads them.
/// </summary>
public sealed record SentenceTransformerOptions
{
    /// <summary>The registry name the function reports (<c>sentence-transformers</c>, or <c>huggingface</c> for LanceDB Node's transformers function).</summary>
    public string FunctionName { get; init; } = SentenceTransformer.FunctionName;

    /// <summary>The model name stored with tables (LanceDB's <c>name</c>); the folder's name when null.</summary>
    public string? ModelName { get; init; }

    /// <summary>Whether vectors are L2-normalised (LanceDB's <c>normalize</c>, default true); null follows the folder (a <c>Normalize</c> module).</summary>
    public bool? Normalize { get; init; } = true;

    /// <summary>The pooling; null follows <c>1_Pooling/config.json</c> (mean when the folder has none).</summary>
    public PoolingMode? Pooling { get; init; }

    /// <summary>The most tokens per text, specials included; null follows <c>sentence_bert_config.json</c>, then <c>tokenizer.json</c>, else 512.</summary>
    public int? MaxTokens { get; init; }

    /// <summary>What queries are prefixed with; null follows the folder's <c>prompts.query</c> (none when absent).</summary>
    public string? QueryPrefix { get; init; }

    /// <summary>What documents are prefixed with; null follows the folder's <c>prompts.document</c> or <c>prompts.passage</c>, then its default prompt.</summary>
    public string? DocumentPrefix { get; init; }

    /// <summary>The most texts run through the model at once (default 32).</summary>
    public int MaxBatchSize { get; init; } = 32;

    /// <summary>ONNX Runtime's intra-op threads (default: the processor count).</summary>
    public int IntraOpThreads { get; init; } = Environment.ProcessorCount;
}
