using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Lance.Orm.Embeddings;

/// <summary>
/// LanceDB's <c>cohere</c>: Cohere's <c>POST /v1/embed</c>. Options as LanceDB names them: <c>name</c>
/// (default <c>embed-multilingual-v2.0</c>), <c>source_input_type</c> (default <c>search_document</c>)
/// and <c>query_input_type</c> (default <c>search_query</c>); the key is <c>api_key</c> or the
/// <c>CO_API_KEY</c> variable (stored as <c>$var:CO_API_KEY</c>); <c>base_url</c> points elsewhere.
/// </summary>
public class CohereEmbeddings : HostedEmbeddingFunction
{
    /// <summary>The registry name, as LanceDB spells it.</summary>
    public const string FunctionName = "cohere";

    /// <summary>The variable the key is read from.</summary>
    public const string ApiKeyVariable = "CO_API_KEY";

    private readonly Uri _endpoint;

    /// <summary>Creates the function from LanceDB's options (null: the defaults).</summary>
    /// <exception cref="EmbeddingException">An option has the wrong type or the model's size is unknown.</exception>
    public CohereEmbeddings(JsonObject? configuration = null, HttpClient? httpClient = null)
        : base(FunctionName, configuration, httpClient, ("api_key", ApiKeyVariable))
    {
        Model = Text("name") ?? "embed-multilingual-v2.0";
        _endpoint = new Uri(WithSlash(Text("base_url") ?? "https://api.cohere.ai/v1/"), "embed");
        Dimensions = DimensionsFor(Model, Model switch
        {
            "embed-english-v3.0" or "embed-multilingual-v3.0" or "embed-english-light-v2.0" => 1024,
            "embed-english-light-v3.0" or "embed-multilingual-light-v3.0" => 384,
            "embed-english-v2.0" => 4096,
            "embed-multilingual-v2.0" => 768,
            _ => null,
        });
    }

    /// <inheritdoc />
    public override int Dimensions { get; }

    /// <summary>The model name.</summary>
    public string Model { get; }

    /// <summary>Creates the function from stored configuration.</summary>
    public static CohereEmbeddings FromConfiguration(JsonObject? configuration) => new(configuration);

    /// <inheritdoc />
    protected override async Task<float[][]> EmbedBatchAsync(string[] inputs, EmbeddingInputKind kind, CancellationToken cancellationToken)
    {
        var inputType = kind == EmbeddingInputKind.Query ? Text("query_input_type") ?? "search_query" : Text("source_input_type") ?? "search_document";
        var body = new JsonObject
        {
            ["texts"] = new JsonArray(inputs.Select(t => (JsonNode?)t).ToArray()),
            ["model"] = Model,
            ["input_type"] = inputType,
            ["truncate"] = "END",
        };
        using var request = JsonPost(_endpoint, body);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", Secret("api_key", ApiKeyVariable));
        var answer = await SendAsync(request, cancellationToken).ConfigureAwait(false);
        return Parse(answer, root =>
        {
            var embeddings = root.GetProperty("embeddings");
            if (embeddings.ValueKind == JsonValueKind.Object)
            {
                embeddings = embeddings.GetProperty("float"); // the shape when embedding types are named
            }

            return embeddings.EnumerateArray().Select(Vector).ToArray();
        });
    }
}
