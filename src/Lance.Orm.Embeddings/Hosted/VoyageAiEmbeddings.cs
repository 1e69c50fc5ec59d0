using System.Net.Http.Headers;
using System.Text.Json.Nodes;

namespace Lance.Orm.Embeddings;

/// <summary>
/// LanceDB's <c>voyageai</c> (text): Voyage AI's <c>POST /v1/embeddings</c>, told whether texts are
/// queries or documents (<c>input_type</c>). Options as LanceDB names them: <c>name</c> (default
/// <c>voyage-3</c>), <c>truncation</c>; the key is <c>api_key</c> or the <c>VOYAGE_API_KEY</c> variable
/// (stored as <c>$var:VOYAGE_API_KEY</c>).
/// </summary>
public class VoyageAiEmbeddings : HostedEmbeddingFunction
{
    /// <summary>The registry name, as LanceDB spells it.</summary>
    public const string FunctionName = "voyageai";

    /// <summary>The variable the key is read from.</summary>
    public const string ApiKeyVariable = "VOYAGE_API_KEY";

    private readonly Uri _endpoint;

    /// <summary>Creates the function from LanceDB's options (null: the defaults).</summary>
    /// <exception cref="EmbeddingException">An option has the wrong type or the model's size is unknown.</exception>
    public VoyageAiEmbeddings(JsonObject? configuration = null, HttpClient? httpClient = null)
        : base(FunctionName, configuration, httpClient, ("api_key", ApiKeyVariable))
    {
        Model = Text("name") ?? "voyage-3";
        _endpoint = new Uri(WithSlash(Text("base_url") ?? "https://api.voyageai.com/v1/"), "embeddings");
        Dimensions = DimensionsFor(Model, Model switch
        {
            "voyage-3" or "voyage-3-large" or "voyage-3.5" or "voyage-code-3" or "voyage-2" or "voyage-law-2" or "voyage-finance-2" or "voyage-multilingual-2" => 1024,
            "voyage-3-lite" or "voyage-3.5-lite" => 512,
            "voyage-large-2" or "voyage-code-2" => 1536,
            _ => null,
        });
    }

    /// <inheritdoc />
    public override int Dimensions { get; }

    /// <summary>The model name.</summary>
    public string Model { get; }

    /// <summary>Creates the function from stored configuration.</summary>
    public static VoyageAiEmbeddings FromConfiguration(JsonObject? configuration) => new(configuration);

    /// <inheritdoc />
    protected override async Task<float[][]> EmbedBatchAsync(string[] inputs, EmbeddingInputKind kind, CancellationToken cancellationToken)
    {
        var body = new JsonObject
        {
            ["model"] = Model,
            ["input"] = new JsonArray(inputs.Select(t => (JsonNode?)t).ToArray()),
            ["input_type"] = kind == EmbeddingInputKind.Query ? "query" : "document",
        };
        if (Flag("truncation") is { } truncation)
        {
            body["truncation"] = truncation;
        }

        using var request = JsonPost(_endpoint, body);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", Secret("api_key", ApiKeyVariable));
        var answer = await SendAsync(request, cancellationToken).ConfigureAwait(false);
        return Parse(answer, root => OpenAiShaped(root, inputs.Length));
    }
}
