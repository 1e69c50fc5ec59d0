using System.Text.Json;
using System.Text.Json.Nodes;

namespace Lance.Orm.Embeddings;

/// <summary>
/// LanceDB's <c>ollama</c>: a local Ollama server's <c>POST {host}/api/embed</c>. Options as LanceDB
/// names them: <c>name</c> (default <c>nomic-embed-text</c>), <c>host</c> (default
/// <c>http://localhost:11434</c>), <c>options</c>, <c>keep_alive</c>, and <c>dim</c> for models whose
/// size is not known here. No key.
/// </summary>
public class OllamaEmbeddings : HostedEmbeddingFunction
{
    /// <summary>The registry name, as LanceDB spells it.</summary>
    public const string FunctionName = "ollama";

    private readonly Uri _endpoint;

    /// <summary>Creates the function from LanceDB's options (null: the defaults).</summary>
    /// <exception cref="EmbeddingException">An option has the wrong type or the model's size is unknown.</exception>
    public OllamaEmbeddings(JsonObject? configuration = null, HttpClient? httpClient = null)
        : base(FunctionName, configuration, httpClient)
    {
        Model = Text("name", "model") ?? "nomic-embed-text";
        _endpoint = new Uri(WithSlash(Text("host") ?? "http://localhost:11434"), "api/embed");
        Dimensions = DimensionsFor(Model, Model.Split(':')[0] switch
        {
            "nomic-embed-text" => 768,
            "mxbai-embed-large" or "snowflake-arctic-embed" or "bge-m3" or "bge-large" => 1024,
            "all-minilm" => 384,
            _ => null,
        });
    }

    /// <inheritdoc />
    public override int Dimensions { get; }

    /// <summary>The model name.</summary>
    public string Model { get; }

    /// <summary>Creates the function from stored configuration.</summary>
    public static OllamaEmbeddings FromConfiguration(JsonObject? configuration) => new(configuration);

    /// <inheritdoc />
    protected override async Task<float[][]> EmbedBatchAsync(string[] inputs, EmbeddingInputKind kind, CancellationToken cancellationToken)
    {
        var body = new JsonObject { ["model"] = Model, ["input"] = new JsonArray(inputs.Select(t => (JsonNode?)t).ToArray()) };
        if (Configuration["options"] is JsonObject options)
        {
            body["options"] = options.DeepClone();
        }

        if (Configuration["keep_alive"] is { } keepAlive)
        {
            body["keep_alive"] = keepAlive.DeepClone();
        }

        using var request = JsonPost(_endpoint, body);
        var answer = await SendAsync(request, cancellationToken).ConfigureAwait(false);
        return Parse(answer, root => root.GetProperty("embeddings").EnumerateArray().Select(Vector).ToArray());
    }
}
