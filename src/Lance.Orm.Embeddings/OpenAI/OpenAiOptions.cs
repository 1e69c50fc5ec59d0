namespace Lance.Orm.Embeddings;

/// <summary>Settings for <see cref="OpenAiEmbeddings"/>.</summary>
public sealed record OpenAiOptions
{
    /// <summary>LanceDB's default model.</summary>
    public const string DefaultModel = "text-embedding-ada-002";

    /// <summary>The environment variable the key is read from unless another is named.</summary>
    public const string DefaultApiKeyVariable = "OPENAI_API_KEY";

    /// <summary>The OpenAI service's base URL.</summary>
    public static Uri DefaultBaseUrl { get; } = new("https://api.openai.com/v1/");

    /// <summary>The model id sent with each request (default <c>text-embedding-ada-002</c>, as LanceDB).</summary>
    public string Model { get; init; } = DefaultModel;

    /// <summary>
    /// The embedding size. Known OpenAI models need none; for <c>text-embedding-3-*</c> a smaller value is
    /// sent as <c>dimensions</c>; for other servers' models give it.
    /// </summary>
    public int? Dimensions { get; init; }

    /// <summary>
    /// The base URL of an OpenAI-compatible server (the path before <c>/embeddings</c>); when null, the
    /// <c>OPENAI_BASE_URL</c> environment variable (as OpenAI's own clients read it), else OpenAI's.
    /// </summary>
    public Uri? BaseUrl { get; init; }

    /// <summary>
    /// The variable holding the key (default <c>OPENAI_API_KEY</c>, or <c>AZURE_OPENAI_API_KEY</c> with
    /// <see cref="UseAzure"/>): set on the registry (<see cref="EmbeddingFunctionRegistry.SetVar"/>) or in
    /// the environment; stored with tables as <c>$var:NAME</c>.
    /// </summary>
    public string ApiKeyVariable { get; init; } = DefaultApiKeyVariable;

    /// <summary>
    /// The key itself, for this process only: it is never stored with a table (the table stores a
    /// reference to <see cref="ApiKeyVariable"/>). When null the key is read from that variable.
    /// </summary>
    public string? ApiKey { get; init; }

    /// <summary>
    /// Azure OpenAI (LanceDB's <c>use_azure</c>): requests go to
    /// <c>{BaseUrl}/openai/deployments/{Model}/embeddings?api-version={ApiVersion}</c> with an <c>api-key</c>
    /// header; <see cref="BaseUrl"/> is the resource endpoint (default: the <c>AZURE_OPENAI_ENDPOINT</c>
    /// environment variable) and <see cref="Model"/> the deployment name.
    /// </summary>
    public bool UseAzure { get; init; }

    /// <summary>The Azure OpenAI API version (default: <c>OPENAI_API_VERSION</c> from the environment, else <c>2024-02-01</c>).</summary>
    public string? ApiVersion { get; init; }

    /// <summary>The most texts sent in one request (default 512; OpenAI accepts up to 2,048).</summary>
    public int MaxBatchSize { get; init; } = 512;

    /// <summary>The client requests go through; a shared one by default.</summary>
    public HttpClient? HttpClient { get; init; }
}
