using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Lance.Orm.Embeddings;

/// <summary>
/// The common part of the hosted providers (<c>openai</c>, <c>ollama</c>, <c>cohere</c>, <c>jina</c>,
/// <c>voyageai</c>, <c>gemini-text</c>, <c>bedrock-text</c>, <c>watsonx</c>): configuration under
/// LanceDB's option names, keys stored only as <c>$var:NAME</c> references, batching, and failures
/// raised as <see cref="EmbeddingRequestException"/> naming the provider, with the HTTP status and the
/// server's <c>Retry-After</c>, for the table's retry pipeline (which never retries 401/403).
/// </summary>
public abstract class HostedEmbeddingFunction : IEmbeddingFunction
{
    private static readonly Lazy<HttpClient> SharedHttp = new(() => new HttpClient { Timeout = TimeSpan.FromSeconds(100) });
    private readonly JsonObject _stored;
    private readonly HttpClient? _http;

    /// <summary>Reads the common settings from <paramref name="configuration"/>.</summary>
    /// <param name="provider">The registry name, e.g. <c>cohere</c>.</param>
    /// <param name="configuration">LanceDB's options (secrets as values or <c>$var:</c> references).</param>
    /// <param name="httpClient">The client requests go through; a shared one when null.</param>
    /// <param name="secretKeys">The option names holding secrets, with the environment variable each falls back to.</param>
    /// <exception cref="EmbeddingException">An option has the wrong type.</exception>
    protected HostedEmbeddingFunction(string provider, JsonObject? configuration, HttpClient? httpClient, params (string Key, string Variable)[] secretKeys)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(provider);
        Name = provider;
        _http = httpClient;
        Configuration = configuration is null ? new JsonObject() : (JsonObject)configuration.DeepClone();
        _stored = (JsonObject)Configuration.DeepClone();
        foreach (var (key, variable) in secretKeys)
        {
            // A literal secret is used by this process only; the table stores a reference to its variable.
            var text = Text(key);
            if (text is not null && !EmbeddingSecrets.IsReference(text))
            {
                _stored[key] = EmbeddingSecrets.Reference(variable);
            }
            else if (text is null && _stored.ContainsKey(key))
            {
                _stored.Remove(key);
            }
        }

        MaxBatchSize = Number("max_batch_size") ?? 96;
        if (MaxBatchSize < 1)
        {
            throw new EmbeddingException($"The {Name} option 'max_batch_size' must be at least 1, not {MaxBatchSize}.");
        }
    }

    /// <inheritdoc />
    public string Name { get; }

    /// <inheritdoc />
    public abstract int Dimensions { get; }

    /// <summary>The most texts sent in one request.</summary>
    public int MaxBatchSize { get; protected init; }

    /// <inheritdoc />
    public int SourceBatchSize => MaxBatchSize;

    /// <summary>The options as given (secrets possibly as values: never store this).</summary>
    protected JsonObject Configuration { get; }

    /// <inheritdoc />
    /// <remarks>The options under LanceDB's names, each secret as a <c>$var:NAME</c> reference.</remarks>
    public virtual JsonObject GetConfiguration() => (JsonObject)_stored.DeepClone();

    /// <inheritdoc />
    /// <remarks>Any number of texts; they are sent <see cref="MaxBatchSize"/> per request.</remarks>
    public async Task<float[][]> ComputeSourceEmbeddingsAsync(IReadOnlyList<string> sources, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(sources);
        var result = new float[sources.Count][];
        for (var start = 0; start < sources.Count; start += MaxBatchSize)
        {
            var batch = new string[Math.Min(MaxBatchSize, sources.Count - start)];
            for (var i = 0; i < batch.Length; i++)
            {
                batch[i] = sources[start + i] ?? throw new ArgumentException($"Text {start + i} is null.", nameof(sources));
            }

            var vectors = await EmbedBatchAsync(batch, EmbeddingInputKind.Document, cancellationToken).ConfigureAwait(false);
            if (vectors.Length != batch.Length)
            {
                throw new EmbeddingException($"{Name} returned {vectors.Length} embeddings for {batch.Length} texts.");
            }

            vectors.CopyTo(result, start);
        }

        return result;
    }

    /// <inheritdoc />
    public async Task<float[]> ComputeQueryEmbeddingAsync(string query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        var vectors = await EmbedBatchAsync([query], EmbeddingInputKind.Query, cancellationToken).ConfigureAwait(false);
        return vectors.Length == 1 ? vectors[0] : throw new EmbeddingException($"{Name} returned {vectors.Length} embeddings for one query.");
    }

    /// <summary>Embeds one batch (at most <see cref="MaxBatchSize"/> texts).</summary>
    protected abstract Task<float[][]> EmbedBatchAsync(string[] inputs, EmbeddingInputKind kind, CancellationToken cancellationToken);

    /// <summary>A string option, trying each spelling (LanceDB Python's snake_case, Node's camelCase).</summary>
    protected string? Text(params string[] keys)
    {
        foreach (var key in keys)
        {
            if (Configuration[key] is { } node)
            {
                try
                {
                    return node.GetValue<string>();
                }
                catch (Exception ex) when (ex is InvalidOperationException or FormatException)
                {
                    throw new EmbeddingException($"The {Name} option '{key}' must be a string, not {node.ToJsonString()}.", ex);
                }
            }
        }

        return null;
    }

    /// <summary>An integer option.</summary>
    protected int? Number(params string[] keys)
    {
        foreach (var key in keys)
        {
            if (Configuration[key] is { } node)
            {
                try
                {
                    return node.GetValue<int>();
                }
                catch (Exception ex) when (ex is InvalidOperationException or FormatException)
                {
                    throw new EmbeddingException($"The {Name} option '{key}' must be an integer, not {node.ToJsonString()}.", ex);
                }
            }
        }

        return null;
    }

    /// <summary>A boolean option.</summary>
    protected bool? Flag(params string[] keys)
    {
        foreach (var key in keys)
        {
            if (Configuration[key] is { } node)
            {
                try
                {
                    return node.GetValue<bool>();
                }
                catch (Exception ex) when (ex is InvalidOperationException or FormatException)
                {
                    throw new EmbeddingException($"The {Name} option '{key}' must be true or false, not {node.ToJsonString()}.", ex);
                }
            }
        }

        return null;
    }

    /// <summary>
    /// A secret: the option's value, or (when the option is a <c>$var:NAME</c> reference, or absent) the
    /// variable set on <see cref="EmbeddingFunctionRegistry.Default"/> or in the environment.
    /// </summary>
    /// <exception cref="EmbeddingException">The secret is set nowhere.</exception>
    protected string Secret(string key, string variable)
    {
        var text = Text(key);
        if (text is not null && !EmbeddingSecrets.IsReference(text))
        {
            return text;
        }

        var reference = text ?? EmbeddingSecrets.Reference(variable);
        var resolved = EmbeddingSecrets.Resolve(new JsonObject { [key] = reference }, Name, EmbeddingFunctionRegistry.Default.GetVar)!;
        return resolved[key]!.GetValue<string>();
    }

    /// <summary>A POST of <paramref name="body"/> as JSON.</summary>
    protected static HttpRequestMessage JsonPost(Uri uri, JsonNode body)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, uri) { Content = new ByteArrayContent(Encoding.UTF8.GetBytes(body.ToJsonString())) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        return request;
    }

    /// <summary>
    /// Sends <paramref name="request"/> and parses the JSON answer; a failure becomes an
    /// <see cref="EmbeddingRequestException"/> naming the provider, the URL and the status.
    /// </summary>
    protected async Task<JsonDocument> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var client = _http ?? SharedHttp.Value;
        var what = $"{Name}: {request.Method} {Redacted(request.RequestUri)}";
        HttpResponseMessage response;
        try
        {
            response = await client.SendAsync(request, cancellationToken).ConfigureAwait(false);
        }
        catch (HttpRequestException ex)
        {
            throw new EmbeddingRequestException($"{what} failed: {ex.Message}", null, null, ex);
        }

        using (response)
        {
            var body = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
            {
                var status = (int)response.StatusCode;
                throw new EmbeddingRequestException($"{what} answered HTTP {status} {response.ReasonPhrase}: {ErrorMessage(body)}", status, RetryAfter(response));
            }

            try
            {
                return JsonDocument.Parse(body);
            }
            catch (JsonException ex)
            {
                throw new EmbeddingException($"{what} answered with a body that is not JSON: {ex.Message}", ex);
            }
        }
    }

    /// <summary>Reads a JSON array of numbers as a vector of <see cref="Dimensions"/> floats.</summary>
    /// <exception cref="EmbeddingException">It is not an array of numbers, or has another length.</exception>
    protected float[] Vector(JsonElement array)
    {
        if (array.ValueKind != JsonValueKind.Array)
        {
            throw new EmbeddingException($"{Name} returned an embedding that is not a list of numbers: {Shorten(array.GetRawText())}");
        }

        var vector = new float[array.GetArrayLength()];
        var d = 0;
        foreach (var value in array.EnumerateArray())
        {
            vector[d++] = value.ValueKind == JsonValueKind.Number ? value.GetSingle() : throw new EmbeddingException($"{Name} returned an embedding holding {value.ValueKind}.");
        }

        if (vector.Length != Dimensions)
        {
            throw new EmbeddingException($"{Name} returned a vector of {vector.Length} dimensions, but {Dimensions} were expected; set the 'dim' option to the model's size.");
        }

        return vector;
    }

    /// <summary>Runs <paramref name="parse"/> on an answer, turning a missing or mistyped field into an <see cref="EmbeddingException"/>.</summary>
    protected T Parse<T>(JsonDocument document, Func<JsonElement, T> parse)
    {
        ArgumentNullException.ThrowIfNull(document);
        ArgumentNullException.ThrowIfNull(parse);
        using (document)
        {
            try
            {
                return parse(document.RootElement);
            }
            catch (Exception ex) when (ex is KeyNotFoundException or InvalidOperationException or FormatException or IndexOutOfRangeException)
            {
                throw new EmbeddingException($"{Name} returned an answer of an unexpected shape ({ex.Message}): {Shorten(document.RootElement.GetRawText())}", ex);
            }
        }
    }

    /// <summary>Reads an OpenAI-shaped answer (<c>data[i].embedding</c>, ordered by <c>index</c>).</summary>
    protected float[][] OpenAiShaped(JsonElement root, int expected)
    {
        var vectors = new float[expected][];
        var position = 0;
        foreach (var item in root.GetProperty("data").EnumerateArray())
        {
            var index = item.TryGetProperty("index", out var i) ? i.GetInt32() : position;
            if (index < 0 || index >= expected)
            {
                throw new EmbeddingException($"{Name} returned an embedding for input {index}, but {expected} were sent.");
            }

            vectors[index] = Vector(item.GetProperty("embedding"));
            position++;
        }

        return position == expected && vectors.All(v => v is not null)
            ? vectors
            : throw new EmbeddingException($"{Name} returned {position} embeddings for {expected} inputs.");
    }

    /// <summary>The dimension from the <c>dim</c> option, else <paramref name="known"/>, else an error naming the model.</summary>
    protected int DimensionsFor(string model, int? known)
        => Number("dim", "ndims", "dimensions") ?? known
            ?? throw new EmbeddingException($"The dimension of {Name} model '{model}' is not known; give it as the 'dim' option.");

    /// <summary>Makes <paramref name="text"/> end with a slash, so that relative paths append.</summary>
    protected static Uri WithSlash(string text)
        => new(text.EndsWith('/') ? text : text + "/", UriKind.Absolute);

    private static string Redacted(Uri? uri)
        => uri is null ? "" : uri.GetLeftPart(UriPartial.Path);

    private static string ErrorMessage(byte[] body)
    {
        try
        {
            using var document = JsonDocument.Parse(body);
            var root = document.RootElement;
            if (root.ValueKind == JsonValueKind.Object)
            {
                foreach (var name in (string[])["error", "message", "detail", "errors"])
                {
                    if (root.TryGetProperty(name, out var error))
                    {
                        return error.ValueKind == JsonValueKind.Object && error.TryGetProperty("message", out var message)
                            ? message.ToString()
                            : Shorten(error.ToString());
                    }
                }
            }
        }
        catch (JsonException)
        {
        }

        return Shorten(Encoding.UTF8.GetString(body));
    }

    private static string Shorten(string text) => text.Length > 300 ? text[..300] + "..." : text;

    /// <summary>The wait a server asked for: <c>retry-after-ms</c>, or <c>Retry-After</c> as seconds or a date.</summary>
    internal static TimeSpan? RetryAfter(HttpResponseMessage response)
    {
        if (response.Headers.TryGetValues("retry-after-ms", out var ms)
            && double.TryParse(ms.FirstOrDefault(), NumberStyles.Float, CultureInfo.InvariantCulture, out var millis))
        {
            return TimeSpan.FromMilliseconds(millis);
        }

        if (response.Headers.RetryAfter is { } retryAfter)
        {
            if (retryAfter.Delta is { } delta)
            {
                return delta;
            }

            if (retryAfter.Date is { } date)
            {
                var wait = date - DateTimeOffset.UtcNow;
                return wait > TimeSpan.Zero ? wait : TimeSpan.Zero;
            }
        }

        return null;
    }
}
