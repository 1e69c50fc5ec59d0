using System.Text.Json.Nodes;

namespace Lance.Orm.Embeddings;

/// <summary>
/// LanceDB's <c>gemini-text</c>: Google's Generative Language API
/// <c>POST /v1beta/{model}:batchEmbedContents</c>, with a task type for documents
/// (<c>source_task_type</c>, default <c>retrieval_document</c>) and queries (<c>query_task_type</c>,
/// default <c>retrieval_query</c>). <c>name</c> defaults to <c>models/embedding-001</c>; the key is
/// <c>api_key</c> or the <c>GOOGLE_API_KEY</c> variable (stored as <c>$var:GOOGLE_API_KEY</c>), sent as
/// <c>x-goog-api-key</c>.
/// </summary>
public class GeminiTextEmbeddings : HostedEmbeddingFunction
{
    /// <summary>The registry name, as LanceDB spells it.</summary>
    public const string FunctionName = "gemini-text";

    /// <summary>The variable the key is read from.</summary>
    public const string ApiKeyVariable = "GOOGLE_API_KEY";

    private readonly Uri _endpoint;

    /// <summary>Creates the function from LanceDB's options (null: the defaults).</summary>
    /// <exception cref="EmbeddingException">An option has the wrong type or the model's size is unknown.</exception>
    public GeminiTextEmbeddings(JsonObject? configuration = null, HttpClient? httpClient = null)
        : base(FunctionName, configuration, httpClient, ("api_key", ApiKeyVariable))
    {
        var name = Text("name") ?? "models/embedding-001";
        Model = name.StartsWith("models/", StringComparison.Ordinal) ? name : "models/" + name;
        _endpoint = new Uri(WithSlash(Text("base_url") ?? "https://generativelanguage.googleapis.com/v1beta/"), Model + ":batchEmbedContents");
        Dimensions = DimensionsFor(Model, Model switch
        {
            "models/embedding-001" or "models/text-embedding-004" or "models/text-embedding-005" => 768,
            "models/gemini-embedding-001" => 3072,
            _ => null,
        });
        MaxBatchSize = Math.Min(MaxBatchSize, 100); // the API's limit per batch
    }

    /// <inheritdoc />
    public override int Dimensions { get; }

    /// <summary>The model, as <c>models/NAME</c>.</summary>
    public string Model { get; }

    /// <summary>Creates the function from stored configuration.</summary>
    public static GeminiTextEmbeddings FromConfiguration(JsonObject? configuration) => new(configuration);

    /// <inheritdoc />
    protected override async Task<float[][]> EmbedBatchAsync(string[] inputs, EmbeddingInputKind kind, CancellationToken cancellationToken)
    {
        var task = (kind == EmbeddingInputKind.Query ? Text("query_task_type") ?? "retrieval_query" : Text("source_task_type") ?? "retrieval_document").ToUpperInvariant();
        var requests = new JsonArray();
        foreach (var input in inputs)
        {
            requests.Add((JsonNode)new JsonObject
            {
                ["model"] = Model,
                ["content"] = new JsonObject { ["parts"] = new JsonArray((JsonNode)new JsonObject { ["text"] = input }) },
                ["taskType"] = task,
            });
        }

        using var request = JsonPost(_endpoint, new JsonObject { ["requests"] = requests });
        request.Headers.Add("x-goog-api-key", Secret("api_key", ApiKeyVariable));
        var answer = await SendAsync(request, cancellationToken).ConfigureAwait(false);
        return Parse(answer, root => root.GetProperty("embeddings").EnumerateArray().Select(e => Vector(e.GetProperty("values"))).ToArray());
    }
}
