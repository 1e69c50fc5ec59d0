namespace Lance.Orm.Embeddings;

/// <summary>Settings for <see cref="OpenClip"/>.</summary>
public sealed record OpenClipOptions
{
    /// <summary>The files of an export: the two towers and the tokenizer (vocab.json is optional).</summary>
    public static IReadOnlyList<string> ExportFiles { get; } = [OpenClip.TextModelFile, OpenClip.VisionModelFile, OpenClip.MergesFile, OpenClip.VocabFile];

    /// <summary>The architecture name stored with tables (default <c>ViT-B-32</c>, as LanceDB).</summary>
    public string ModelName { get; init; } = "ViT-B-32";

    /// <summary>The weights' tag stored with tables (default <c>laion2b_s34b_b79k</c>, as LanceDB).</summary>
    public string Pretrained { get; init; } = "laion2b_s34b_b79k";

    /// <summary>
    /// A folder holding the ONNX export: <c>textual.onnx</c> (input <c>input_ids</c> int64 [batch, 77],
    /// output <c>text_embeds</c>), <c>visual.onnx</c> (input <c>pixel_values</c> float [batch, 3, size, size],
    /// output <c>image_embeds</c>), <c>merges.txt</c> and optionally <c>vocab.json</c>.
    /// </summary>
    public string? ModelPath { get; init; }

    /// <summary>
    /// Where to download the export's files from on first use (<c>{url}/textual.onnx</c>, ...) when
    /// <see cref="ModelPath"/> is not set; they are kept in <see cref="CacheDirectory"/>.
    /// </summary>
    public Uri? DownloadUrl { get; init; }

    /// <summary>
    /// The download cache (default: <c>LANCE_ORM_CACHE</c>, else the user's cache folder) under which
    /// each model gets a folder named after <see cref="ModelName"/> and <see cref="Pretrained"/>.
    /// </summary>
    public string? CacheDirectory { get; init; }

    /// <summary>The embedding size; read from the text tower's output when null.</summary>
    public int? Dimensions { get; init; }

    /// <summary>Whether embeddings are L2-normalised (default true, as LanceDB).</summary>
    public bool Normalize { get; init; } = true;

    /// <summary>The most texts or images run through a tower at once (default 64).</summary>
    public int MaxBatchSize { get; init; } = 64;

    /// <summary>ONNX Runtime's intra-op threads (default: the processor count).</summary>
    public int IntraOpThreads { get; init; } = Environment.ProcessorCount;

    /// <summary>The client used for downloads and http(s) image URIs; a shared one by default.</summary>
    public HttpClient? HttpClient { get; init; }

    /// <summary>How downloads are retried (the defaults unless set).</summary>
    public EmbeddingRetryOptions? DownloadRetry { get; init; }
}
