using System.Net.Http.Headers;
using System.Text.Json.Nodes;

namespace Lance.Orm.Embeddings;

/// <summary>
/// LanceDB's <c>jina</c> (text): Jina AI's <c>POST /v1/embeddings</c>. Options as LanceDB names them:
/// <c>name</c> (default <c>jina-embeddings-v2-base-en</c>); the key is <c>api_key</c> or the
/// <c>JINA_API_KEY</c> variable (stored as <c>$var:JINA_API_KEY</c>). v3 models are told whether
/// texts are queries (<c>retrieval.query</c>) or passages (<c>retrieval.passage</c>).
/// </summary>
public class JinaEmbeddings : HostedEmbeddingFunction
{
    /// <summary>The registry name, as LanceDB spells it.</summary>
    public const string FunctionName = "jina";

    /// <summary>The variable the key is read from.</summary>
    public const string ApiKeyVariable = "JINA_API_KEY";

    private readonly Uri _endpoint;

    /// <summary>Creates the function from LanceDB's options (null: the defaults).</summary>
    /// <exception cref="EmbeddingException">An option has the wrong type or the model's size is unknown.</exception>
    public JinaEmbeddings(JsonObject? configuration = null, HttpClient? httpClient = null)
        : base(FunctionName, configuration, httpClient, ("api_key", ApiKeyVariable))
    {
        Model = Text("name") ?? "jina-embeddings-v2-base-en";
        _endpoint = new Uri(WithSlash(Text("base_url") ?? "https://api.jina.ai/v1/"), "embeddings");
        Dimensions = DimensionsFor(Model, Model switch
        {
            "jina-embeddings-v2-base-en" or "jina-embeddings-v2-base-de" or "jina-embeddings-v2-base-zh" or "jina-embeddings-v2-base-es" or "jina-embeddings-v2-base-code" or "jina-clip-v1" => 768,
            "jina-embeddings-v2-small-en" => 512,
            "jina-embeddings-v3" or "jina-clip-v2" => 1024,
            _ => null,
        });
    }

    /// <inheritdoc />
    public override int Dimensions { get; }

    /// <summary>The model name.</summary>
    public string Model { get; }

    /// <summary>Creates the function from stored configuration.</summary>
    public static JinaEmbeddings FromConfiguration(JsonObject? configuration) => new(configuration);

    /// <inheritdoc />
    protected override async Task<float[][]> EmbedBatchAsync(string[] inputs, EmbeddingInputKind kind, CancellationToken cancellationToken)
    {
        var body = new JsonObject { ["model"] = Model, ["input"] = new JsonArray(inputs.Select(t => (JsonNode?)t).ToArray()) };
        if (Model.StartsWith("jina-embeddings-v3", StringComparison.Ordinal))
        {
            body["task"] = kind == EmbeddingInputKind.Query ? "retrieval.query" : "retrieval.passage";
        }

        using var request = JsonPost(_endpoint, body);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", Secret("api_key", ApiKeyVariable));
        var answer = await SendAsync(request, cancellationToken).ConfigureAwait(false);
        return Parse(answer, root => OpenAiShaped(root, inputs.Length));
    }
}
