using System.Buffers;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Lance.Orm.Embeddings;

/// <summary>
/// Embeddings from an OpenAI-compatible <c>/embeddings</c> endpoint (OpenAI itself, or a local server
/// such as Ollama, vLLM or LM Studio through <see cref="OpenAiOptions.BaseUrl"/>). Registered as
/// LanceDB's <c>openai</c> function, Azure OpenAI included (<see cref="OpenAiOptions.UseAzure"/>,
/// LanceDB's <c>use_azure</c>). The key comes from a variable set on the registry or the environment
/// and is stored with tables only as a <c>$var:NAME</c> reference. The configuration is written so that
/// both LanceDB SDKs recreate it: Python's <c>name</c>/<c>api_key</c>/<c>dim</c>/<c>base_url</c>/<c>use_azure</c>
/// and Node's <c>model</c>/<c>apiKey</c> (each SDK ignores the other's keys). Failures surface as <see cref="EmbeddingRequestException"/>
/// with the status and <c>Retry-After</c>, which the table's retry pipeline acts on.
/// </summary>
[EmbeddingFunction(FunctionName, Dimensions = 1536)]
public class OpenAiEmbeddings : IEmbeddingFunction
{
    /// <summary>The registry name, as LanceDB spells it.</summary>
    public const string FunctionName = "openai";

    private static readonly Lazy<HttpClient> SharedHttp = new(() => new HttpClient { Timeout = TimeSpan.FromSeconds(100) });
    private readonly OpenAiOptions _options;
    private readonly Uri _endpoint;

    /// <summary><c>text-embedding-ada-002</c> on OpenAI, with the key from <c>OPENAI_API_KEY</c>.</summary>
    public OpenAiEmbeddings()
        : this(new OpenAiOptions())
    {
    }

    /// <summary>A function with the given options.</summary>
    /// <exception cref="EmbeddingException">The model's dimension is unknown and not given.</exception>
    public OpenAiEmbeddings(OpenAiOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentException.ThrowIfNullOrWhiteSpace(options.Model, nameof(options));
        ArgumentException.ThrowIfNullOrWhiteSpace(options.ApiKeyVariable, nameof(options));
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxBatchSize, 1, nameof(options));
        if (options.UseAzure && options.ApiKeyVariable == OpenAiOptions.DefaultApiKeyVariable)
        {
            options = options with { ApiKeyVariable = AzureApiKeyVariable };
        }

        _options = options;
        _endpoint = options.UseAzure ? AzureEndpoint(options) : new Uri(Slash(options.BaseUrl ?? EnvironmentBaseUrl() ?? OpenAiOptions.DefaultBaseUrl), "embeddings");
        Dimensions = options.Dimensions ?? KnownDimensions(options.Model)
            ?? throw new EmbeddingException(
                $"The dimension of OpenAI-compatible model '{options.Model}' is not known; set OpenAiOptions.Dimensions (stored as 'dim').");
    }

    /// <inheritdoc />
    public string Name => FunctionName;

    /// <inheritdoc />
    public int Dimensions { get; }

    /// <summary>The most inputs sent per request or run through a tower at once.</summary>
    public int MaxBatchSize => _options.MaxBatchSize;

    /// <inheritdoc />
    public int SourceBatchSize => _options.MaxBatchSize;

    /// <summary>The model id.</summary>
    public string Model => _options.Model;

    /// <summary>The URL requests are posted to.</summary>
    public Uri Endpoint => _endpoint;

    /// <summary>The variable an Azure OpenAI key is read from unless another is named.</summary>
    public const string AzureApiKeyVariable = "AZURE_OPENAI_API_KEY";

    /// <summary>Whether requests go to Azure OpenAI.</summary>
    public bool UseAzure => _options.UseAzure;

    /// <summary>
    /// Creates the function from LanceDB's stored configuration: Python's <c>name</c>, <c>dim</c>,
    /// <c>base_url</c>, <c>api_key</c>, <c>use_azure</c> (plus <c>api_version</c>) or Node's <c>model</c>
    /// and <c>apiKey</c>; the key already resolved from its <c>$var:</c> reference by the registry.
    /// </summary>
    /// <exception cref="EmbeddingException">A key has the wrong type.</exception>
    public static OpenAiEmbeddings FromConfiguration(JsonObject? configuration)
    {
        if (configuration is null)
        {
            return new OpenAiEmbeddings();
        }

        try
        {
            var key = (configuration["api_key"] ?? configuration["apiKey"])?.GetValue<string>();
            var options = new OpenAiOptions
            {
                Model = (configuration["name"] ?? configuration["model"])?.GetValue<string>() ?? OpenAiOptions.DefaultModel,
                Dimensions = configuration["dim"]?.GetValue<int>(),
                BaseUrl = (configuration["base_url"] ?? configuration["baseURL"])?.GetValue<string>() is { } url ? new Uri(url, UriKind.Absolute) : null,
                UseAzure = configuration["use_azure"]?.GetValue<bool>() ?? false,
                ApiVersion = configuration["api_version"]?.GetValue<string>(),
                ApiKey = EmbeddingSecrets.IsReference(key) ? null : key,
                ApiKeyVariable = EmbeddingSecrets.IsReference(key) ? key!.Split(':')[1] : OpenAiOptions.DefaultApiKeyVariable,
            };
            return new OpenAiEmbeddings(options);
        }
        catch (Exception ex) when (ex is InvalidOperationException or FormatException or UriFormatException)
        {
            throw new EmbeddingException($"Invalid openai configuration {configuration.ToJsonString()}: {ex.Message}", ex);
        }
    }

    /// <inheritdoc />
    /// <remarks>The key is written as a <c>$var:</c> reference, never as its value, under both SDKs' spellings.</remarks>
    public JsonObject GetConfiguration()
    {
        var config = new JsonObject { ["name"] = _options.Model, ["model"] = _options.Model };
        if (_options.Dimensions is { } dim)
        {
            config["dim"] = dim;
        }

        if (_options.BaseUrl is { } url)
        {
            config["base_url"] = url.AbsoluteUri;
        }

        if (_options.UseAzure)
        {
            config["use_azure"] = true;
            if (_options.ApiVersion is { } version)
            {
                config["api_version"] = version;
            }
        }

        config["api_key"] = EmbeddingSecrets.Reference(_options.ApiKeyVariable);
        config["apiKey"] = EmbeddingSecrets.Reference(_options.ApiKeyVariable);
        return config;
    }

    /// <inheritdoc />
    /// <remarks>Any number of texts; they are sent <see cref="MaxBatchSize"/> per request.</remarks>
    public async Task<float[][]> ComputeSourceEmbeddingsAsync(IReadOnlyList<string> sources, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(sources);
        var result = new float[sources.Count][];
        for (var start = 0; start < sources.Count; start += _options.MaxBatchSize)
        {
            var count = Math.Min(_options.MaxBatchSize, sources.Count - start);
            var batch = new string[count];
            for (var i = 0; i < count; i++)
            {
                batch[i] = sources[start + i];
            }

            var vectors = await PostAsync(batch, cancellationToken).ConfigureAwait(false);
            vectors.CopyTo(result, start);
        }

        return result;
    }

    /// <inheritdoc />
    public async Task<float[]> ComputeQueryEmbeddingAsync(string query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        return (await PostAsync([query], cancellationToken).ConfigureAwait(false))[0];
    }

    private async Task<float[][]> PostAsync(string[] inputs, CancellationToken cancellationToken)
    {
        var key = _options.ApiKey ?? EmbeddingFunctionRegistry.Default.GetVar(_options.ApiKeyVariable) ?? Environment.GetEnvironmentVariable(_options.ApiKeyVariable);
        if (string.IsNullOrEmpty(key))
        {
            throw new EmbeddingException(
                $"The openai embedding function needs an API key: set the variable '{_options.ApiKeyVariable}' (registry.SetVar or the environment) or OpenAiOptions.ApiKey.");
        }

        using var request = new HttpRequestMessage(HttpMethod.Post, _endpoint) { Content = new ByteArrayContent(RequestBody(inputs)) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        if (_options.UseAzure)
        {
            request.Headers.Add("api-key", key);
        }
        else
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        }

        var client = _options.HttpClient ?? SharedHttp.Value;
        HttpResponseMessage response;
        try
        {
            response = await client.SendAsync(request, cancellationToken).ConfigureAwait(false);
        }
        catch (HttpRequestException ex)
        {
            throw new EmbeddingRequestException($"{FunctionName}: POST {_endpoint.GetLeftPart(UriPartial.Path)} failed: {ex.Message}", null, null, ex);
        }

        using (response)
        {
            var body = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
            {
                var status = (int)response.StatusCode;
                throw new EmbeddingRequestException(
                    $"{FunctionName}: POST {_endpoint.GetLeftPart(UriPartial.Path)} answered HTTP {status} {response.ReasonPhrase}: {ErrorMessage(body)}",
                    status,
                    HostedEmbeddingFunction.RetryAfter(response));
            }

            return ParseResponse(body, inputs.Length);
        }
    }

    private byte[] RequestBody(string[] inputs)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            if (!_options.UseAzure)
            {
                writer.WriteString("model", _options.Model); // Azure names the deployment in the URL
            }

            writer.WriteStartArray("input");
            foreach (var input in inputs)
            {
                // OpenAI rejects empty strings; a single space embeds as "nothing" the way LanceDB's client sends it.
                writer.WriteStringValue(input.Length == 0 ? " " : input);
            }

            writer.WriteEndArray();
            writer.WriteString("encoding_format", "float");
            if (_options.Dimensions is { } dim && _options.Model.StartsWith("text-embedding-3", StringComparison.Ordinal))
            {
                writer.WriteNumber("dimensions", dim);
            }

            writer.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    private float[][] ParseResponse(byte[] body, int expected)
    {
        try
        {
            using var document = JsonDocument.Parse(body);
            var data = document.RootElement.GetProperty("data");
            var vectors = new float[expected][];
            var position = 0;
            foreach (var item in data.EnumerateArray())
            {
                var index = item.TryGetProperty("index", out var indexElement) ? indexElement.GetInt32() : position;
                if (index < 0 || index >= expected)
                {
                    throw new EmbeddingException($"{_endpoint} returned an embedding for input {index}, but {expected} inputs were sent.");
                }

                var embedding = item.GetProperty("embedding");
                var vector = new float[embedding.GetArrayLength()];
                var d = 0;
                foreach (var value in embedding.EnumerateArray())
                {
                    vector[d++] = value.GetSingle();
                }

                if (vector.Length != Dimensions)
                {
                    throw new EmbeddingException(
                        $"{_endpoint} returned a vector of {vector.Length} dimensions for model '{_options.Model}', but {Dimensions} were expected; set OpenAiOptions.Dimensions.");
                }

                vectors[index] = vector;
                position++;
            }

            if (position != expected || vectors.Any(v => v is null))
            {
                throw new EmbeddingException($"{_endpoint} returned {position} embeddings for {expected} inputs.");
            }

            return vectors;
        }
        catch (Exception ex) when (ex is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            throw new EmbeddingException($"{_endpoint} returned a response that is not an OpenAI embeddings response: {ex.Message}", ex);
        }
    }

    private static string ErrorMessage(byte[] body)
    {
        try
        {
            using var document = JsonDocument.Parse(body);
            if (document.RootElement.TryGetProperty("error", out var error))
            {
                return error.ValueKind == JsonValueKind.Object && error.TryGetProperty("message", out var message) ? message.GetString() ?? "" : error.ToString();
            }
        }
        catch (JsonException)
        {
        }

        var text = System.Text.Encoding.UTF8.GetString(body);
        return text.Length > 300 ? text[..300] + "..." : text;
    }

    // OPENAI_BASE_URL, as OpenAI's Python and Node clients (and so LanceDB's openai function) read it.
    private static Uri? EnvironmentBaseUrl()
        => Environment.GetEnvironmentVariable("OPENAI_BASE_URL") is { Length: > 0 } url ? new Uri(url, UriKind.Absolute) : null;

    private static Uri Slash(Uri uri) => uri.AbsoluteUri.EndsWith('/') ? uri : new Uri(uri.AbsoluteUri + "/");

    private static Uri AzureEndpoint(OpenAiOptions options)
    {
        var endpoint = options.BaseUrl
            ?? (Environment.GetEnvironmentVariable("AZURE_OPENAI_ENDPOINT") is { Length: > 0 } env ? new Uri(env, UriKind.Absolute) : null)
            ?? throw new EmbeddingException("Azure OpenAI (use_azure) needs the resource endpoint: set 'base_url' or the AZURE_OPENAI_ENDPOINT environment variable.");
        var version = options.ApiVersion ?? Environment.GetEnvironmentVariable("OPENAI_API_VERSION") ?? "2024-02-01";
        var basePath = Slash(endpoint);
        if (!basePath.AbsolutePath.Contains("/openai/deployments/", StringComparison.Ordinal))
        {
            basePath = new Uri(basePath, $"openai/deployments/{Uri.EscapeDataString(options.Model)}/");
        }

        return new Uri(basePath, $"embeddings?api-version={Uri.EscapeDataString(version)}");
    }

    private static int? KnownDimensions(string model) => model switch
    {
        "text-embedding-ada-002" or "text-embedding-3-small" => 1536,
        "text-embedding-3-large" => 3072,
        _ => null,
    };
}
