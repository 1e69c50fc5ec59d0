using System.Text;
using System.Text.Json.Nodes;

namespace Lance.Orm.Embeddings;

/// <summary>
/// LanceDB's <c>bedrock-text</c>: Amazon Bedrock's <c>POST /model/{name}/invoke</c>, signed with AWS
/// Signature Version 4 (<see cref="AwsSigV4"/>). Options as LanceDB names them: <c>name</c> (default
/// <c>amazon.titan-embed-text-v1</c>; Titan and Cohere models) and <c>region</c> (default
/// <c>us-east-1</c>). Credentials come from the variables <c>AWS_ACCESS_KEY_ID</c>,
/// <c>AWS_SECRET_ACCESS_KEY</c> and <c>AWS_SESSION_TOKEN</c> (registry, then environment) and are never
/// stored. LanceDB's <c>profile_name</c> and <c>assumed_role</c> need the AWS SDK's credential chain,
/// which this function does not have: they are refused with an error saying so. <c>endpoint_url</c>
/// (not LanceDB's) points at another endpoint.
/// </summary>
public class BedrockTextEmbeddings : HostedEmbeddingFunction
{
    /// <summary>The registry name, as LanceDB spells it.</summary>
    public const string FunctionName = "bedrock-text";

    private readonly Uri _endpoint;
    private readonly TimeProvider _time;

    /// <summary>Creates the function from LanceDB's options (null: the defaults).</summary>
    /// <param name="configuration">LanceDB's options.</param>
    /// <param name="httpClient">The client requests go through; a shared one when null.</param>
    /// <param name="timeProvider">The clock requests are signed with (the system's when null).</param>
    /// <exception cref="EmbeddingException">An option has the wrong type or is not supported, or the model's size is unknown.</exception>
    public BedrockTextEmbeddings(JsonObject? configuration = null, HttpClient? httpClient = null, TimeProvider? timeProvider = null)
        : base(FunctionName, configuration, httpClient, ("aws_access_key_id", "AWS_ACCESS_KEY_ID"), ("aws_secret_access_key", "AWS_SECRET_ACCESS_KEY"), ("aws_session_token", "AWS_SESSION_TOKEN"))
    {
        _time = timeProvider ?? TimeProvider.System;
        Model = Text("name") ?? "amazon.titan-embed-text-v1";
        Region = Text("region") ?? "us-east-1";
        foreach (var unsupported in (string[])["profile_name", "assumed_role"])
        {
            if (Text(unsupported) is { Length: > 0 })
            {
                throw new EmbeddingException(
                    $"The bedrock-text option '{unsupported}' needs the AWS SDK's credential chain, which Lance.Orm does not include; " +
                    "give the credentials as the variables AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN instead.");
            }
        }

        var endpoint = WithSlash(Text("endpoint_url") ?? $"https://bedrock-runtime.{Region}.amazonaws.com/");
        _endpoint = new Uri(endpoint, $"model/{Uri.EscapeDataString(Model)}/invoke");
        Dimensions = DimensionsFor(Model, Model switch
        {
            "amazon.titan-embed-text-v1" or "amazon.titan-embed-g1-text-02" => 1536,
            "amazon.titan-embed-text-v2:0" or "cohere.embed-english-v3" or "cohere.embed-multilingual-v3" => 1024,
            _ => null,
        });
        MaxBatchSize = IsCohere ? Math.Min(MaxBatchSize, 96) : MaxBatchSize;
    }

    /// <inheritdoc />
    public override int Dimensions { get; }

    /// <summary>The Bedrock model id.</summary>
    public string Model { get; }

    /// <summary>The AWS region.</summary>
    public string Region { get; }

    /// <summary>The URL requests are posted to.</summary>
    public Uri Endpoint => _endpoint;

    private bool IsCohere => Model.StartsWith("cohere.", StringComparison.Ordinal);

    /// <summary>Creates the function from stored configuration.</summary>
    public static BedrockTextEmbeddings FromConfiguration(JsonObject? configuration) => new(configuration);

    /// <inheritdoc />
    protected override async Task<float[][]> EmbedBatchAsync(string[] inputs, EmbeddingInputKind kind, CancellationToken cancellationToken)
    {
        var credentials = new AwsCredentials(
            Secret("aws_access_key_id", "AWS_ACCESS_KEY_ID"),
            Secret("aws_secret_access_key", "AWS_SECRET_ACCESS_KEY"),
            OptionalSecret("aws_session_token", "AWS_SESSION_TOKEN"));
        if (IsCohere)
        {
            var body = new JsonObject
            {
                ["texts"] = new JsonArray(inputs.Select(t => (JsonNode?)t).ToArray()),
                ["input_type"] = kind == EmbeddingInputKind.Query ? "search_query" : "search_document",
            };
            var answer = await InvokeAsync(body, credentials, cancellationToken).ConfigureAwait(false);
            return Parse(answer, root => root.GetProperty("embeddings").EnumerateArray().Select(Vector).ToArray());
        }

        // Titan embeds one text per call.
        var result = new float[inputs.Length][];
        for (var i = 0; i < inputs.Length; i++)
        {
            var body = new JsonObject { ["inputText"] = inputs[i] };
            if (Model.StartsWith("amazon.titan-embed-text-v2", StringComparison.Ordinal))
            {
                body["dimensions"] = Dimensions;
                body["normalize"] = Flag("normalize") ?? true;
            }

            var answer = await InvokeAsync(body, credentials, cancellationToken).ConfigureAwait(false);
            result[i] = Parse(answer, root => Vector(root.GetProperty("embedding")));
        }

        return result;
    }

    private async Task<System.Text.Json.JsonDocument> InvokeAsync(JsonObject body, AwsCredentials credentials, CancellationToken cancellationToken)
    {
        var payload = Encoding.UTF8.GetBytes(body.ToJsonString());
        using var request = new HttpRequestMessage(HttpMethod.Post, _endpoint) { Content = new ByteArrayContent(payload) };
        request.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
        request.Headers.Accept.ParseAdd("application/json");
        AwsSigV4.Sign(request, payload, credentials, Region, "bedrock", _time.GetUtcNow());
        return await SendAsync(request, cancellationToken).ConfigureAwait(false);
    }

    private string? OptionalSecret(string key, string variable)
    {
        try
        {
            return Secret(key, variable);
        }
        catch (EmbeddingException) when (Text(key) is null)
        {
            return null;
        }
    }
}
