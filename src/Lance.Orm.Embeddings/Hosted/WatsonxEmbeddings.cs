using System.Net.Http.Headers;
using System.Text.Json.Nodes;

namespace Lance.Orm.Embeddings;

/// <summary>
/// LanceDB's <c>watsonx</c>: IBM watsonx.ai's <c>POST {url}/ml/v1/text/embeddings</c>, with a bearer
/// token exchanged for the API key at IBM Cloud IAM (cached until shortly before it expires). Options
/// as LanceDB names them: <c>name</c> (default <c>ibm/slate-125m-english-rtrvr</c>), <c>url</c> (or the
/// <c>WATSONX_URL</c> variable; default <c>https://us-south.ml.cloud.ibm.com</c>), <c>project_id</c> (or
/// <c>WATSONX_PROJECT_ID</c>), <c>params</c>; the key is <c>api_key</c> or the <c>WATSONX_API_KEY</c>
/// variable (stored as <c>$var:WATSONX_API_KEY</c>). <c>iam_url</c> (not LanceDB's) points at another
/// token endpoint.
/// </summary>
public class WatsonxEmbeddings : HostedEmbeddingFunction
{
    /// <summary>The registry name, as LanceDB spells it.</summary>
    public const string FunctionName = "watsonx";

    /// <summary>The variable the key is read from.</summary>
    public const string ApiKeyVariable = "WATSONX_API_KEY";

    /// <summary>The API version sent with each request.</summary>
    public const string ApiVersion = "2024-05-01";

    private readonly Uri _iam;
    private readonly TimeProvider _time;
    private volatile Tuple<string, DateTimeOffset>? _token;

    /// <summary>Creates the function from LanceDB's options (null: the defaults).</summary>
    /// <param name="configuration">LanceDB's options.</param>
    /// <param name="httpClient">The client requests go through; a shared one when null.</param>
    /// <param name="timeProvider">The clock token expiry is judged by (the system's when null).</param>
    /// <exception cref="EmbeddingException">An option has the wrong type or the model's size is unknown.</exception>
    public WatsonxEmbeddings(JsonObject? configuration = null, HttpClient? httpClient = null, TimeProvider? timeProvider = null)
        : base(FunctionName, configuration, httpClient, ("api_key", ApiKeyVariable))
    {
        _time = timeProvider ?? TimeProvider.System;
        Model = Text("name") ?? "ibm/slate-125m-english-rtrvr";
        var url = Text("url") ?? Environment.GetEnvironmentVariable("WATSONX_URL") ?? "https://us-south.ml.cloud.ibm.com";
        Endpoint = new Uri(WithSlash(url), $"ml/v1/text/embeddings?version={ApiVersion}");
        _iam = new Uri(Text("iam_url") ?? "https://iam.cloud.ibm.com/identity/token", UriKind.Absolute);
        Dimensions = DimensionsFor(Model, Model switch
        {
            "ibm/slate-125m-english-rtrvr" or "ibm/slate-125m-english-rtrvr-v2" or "intfloat/multilingual-e5-large" => Model.Contains("e5", StringComparison.Ordinal) ? 1024 : 768,
            "ibm/slate-30m-english-rtrvr" or "ibm/slate-30m-english-rtrvr-v2" or "sentence-transformers/all-minilm-l12-v2" => 384,
            _ => null,
        });
        MaxBatchSize = Math.Min(MaxBatchSize, 1000);
    }

    /// <inheritdoc />
    public override int Dimensions { get; }

    /// <summary>The model id.</summary>
    public string Model { get; }

    /// <summary>The URL embeddings are posted to.</summary>
    public Uri Endpoint { get; }

    /// <summary>Creates the function from stored configuration.</summary>
    public static WatsonxEmbeddings FromConfiguration(JsonObject? configuration) => new(configuration);

    /// <inheritdoc />
    protected override async Task<float[][]> EmbedBatchAsync(string[] inputs, EmbeddingInputKind kind, CancellationToken cancellationToken)
    {
        var projectId = Text("project_id") ?? Environment.GetEnvironmentVariable("WATSONX_PROJECT_ID")
            ?? throw new EmbeddingException("The watsonx embedding function needs a project: set the 'project_id' option or the WATSONX_PROJECT_ID environment variable.");
        var body = new JsonObject
        {
            ["inputs"] = new JsonArray(inputs.Select(t => (JsonNode?)t).ToArray()),
            ["model_id"] = Model,
            ["project_id"] = projectId,
        };
        if (Configuration["params"] is JsonObject parameters)
        {
            body["parameters"] = parameters.DeepClone();
        }

        var token = await TokenAsync(cancellationToken).ConfigureAwait(false);
        using var request = JsonPost(Endpoint, body);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        var answer = await SendAsync(request, cancellationToken).ConfigureAwait(false);
        return Parse(answer, root => root.GetProperty("results").EnumerateArray().Select(r => Vector(r.GetProperty("embedding"))).ToArray());
    }

    private async Task<string> TokenAsync(CancellationToken cancellationToken)
    {
        // Concurrent first calls may each fetch a token; the last one fetched is kept.
        {
            var now = _time.GetUtcNow();
            if (_token is { } cached && cached.Item2 > now)
            {
                return cached.Item1;
            }

            using var request = new HttpRequestMessage(HttpMethod.Post, _iam)
            {
                Content = new FormUrlEncodedContent([
                    new("grant_type", "urn:ibm:params:oauth:grant-type:apikey"),
                    new("apikey", Secret("api_key", ApiKeyVariable)),
                ]),
            };
            request.Headers.Accept.ParseAdd("application/json");
            var answer = await SendAsync(request, cancellationToken).ConfigureAwait(false);
            var (token, lifetime) = Parse(answer, root => (
                root.GetProperty("access_token").GetString() ?? throw new InvalidOperationException("access_token is null"),
                root.TryGetProperty("expires_in", out var expires) ? expires.GetInt32() : 3600));
            _token = Tuple.Create(token, now + TimeSpan.FromSeconds(Math.Max(0, lifetime - 60)));
            return token;
        }
    }
}
