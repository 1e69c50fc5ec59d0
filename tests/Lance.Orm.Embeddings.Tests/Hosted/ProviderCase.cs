using System.Text.Json.Nodes;

namespace Lance.Orm.Embeddings.Tests;

/// <summary>
/// One hosted provider as the tests drive it: how to create it against a loopback server, what its
/// documented API answers, and what each request must look like.
/// </summary>
public sealed record ProviderCase(
    string Name,
    Func<Uri, JsonObject> Configuration,
    Func<RecordedRequest, int, ScriptedResponse> Answer,
    Action<RecordedRequest, EmbeddingInputKind> CheckRequest)
{
    public const int Dim = 4;

    public override string ToString() => Name;

    public static IReadOnlyDictionary<string, ProviderCase> All { get; } = new[]
    {
        new ProviderCase(
            "ollama",
            url => new JsonObject { ["name"] = "nomic-embed-text", ["host"] = url.AbsoluteUri, ["dim"] = Dim, ["keep_alive"] = "5m" },
            (r, d) => ScriptedResponse.Json(200, new JsonObject { ["model"] = "nomic-embed-text", ["embeddings"] = Vectors(Strings(r.Json["input"]), d) }.ToJsonString()),
            (r, _) =>
            {
                Assert.Equal(("POST", "/api/embed"), (r.Method, r.Path));
                Assert.Equal("nomic-embed-text", (string?)r.Json["model"]);
                Assert.Equal("5m", (string?)r.Json["keep_alive"]);
                Assert.Null(r.Authorization);
            }),
        new ProviderCase(
            "cohere",
            url => new JsonObject { ["name"] = "embed-english-v3.0", ["base_url"] = new Uri(url, "v1").AbsoluteUri, ["dim"] = Dim, ["api_key"] = "$var:LANCE_TEST_CO_KEY" },
            (r, d) => ScriptedResponse.Json(200, new JsonObject { ["id"] = "x", ["embeddings"] = Vectors(Strings(r.Json["texts"]), d) }.ToJsonString()),
            (r, kind) =>
            {
                Assert.Equal(("POST", "/v1/embed", "Bearer co-secret"), (r.Method, r.Path, r.Authorization));
                Assert.Equal("embed-english-v3.0", (string?)r.Json["model"]);
                Assert.Equal(kind == EmbeddingInputKind.Query ? "search_query" : "search_document", (string?)r.Json["input_type"]);
            }),
        new ProviderCase(
            "jina",
            url => new JsonObject { ["name"] = "jina-embeddings-v3", ["base_url"] = new Uri(url, "v1").AbsoluteUri, ["dim"] = Dim, ["api_key"] = "$var:LANCE_TEST_JINA_KEY" },
            (r, d) => OpenAiShaped(Strings(r.Json["input"]), d),
            (r, kind) =>
            {
                Assert.Equal(("POST", "/v1/embeddings", "Bearer jina-secret"), (r.Method, r.Path, r.Authorization));
                Assert.Equal("jina-embeddings-v3", (string?)r.Json["model"]);
                Assert.Equal(kind == EmbeddingInputKind.Query ? "retrieval.query" : "retrieval.passage", (string?)r.Json["task"]);
            }),
        new ProviderCase(
            "voyageai",
            url => new JsonObject { ["name"] = "voyage-3", ["base_url"] = new Uri(url, "v1").AbsoluteUri, ["dim"] = Dim, ["api_key"] = "$var:LANCE_TEST_VOYAGE_KEY" },
            (r, d) => OpenAiShaped(Strings(r.Json["input"]), d),
            (r, kind) =>
            {
                Assert.Equal(("POST", "/v1/embeddings", "Bearer voyage-secret"), (r.Method, r.Path, r.Authorization));
                Assert.Equal("voyage-3", (string?)r.Json["model"]);
                Assert.Equal(kind == EmbeddingInputKind.Query ? "query" : "document", (string?)r.Json["input_type"]);
            }),
        new ProviderCase(
            "gemini-text",
            url => new JsonObject { ["name"] = "models/text-embedding-004", ["base_url"] = new Uri(url, "v1beta").AbsoluteUri, ["dim"] = Dim, ["api_key"] = "$var:LANCE_TEST_GOOGLE_KEY" },
            (r, d) => ScriptedResponse.Json(200, new JsonObject
            {
                ["embeddings"] = new JsonArray(r.Json["requests"]!.AsArray().Select(q => (JsonNode?)new JsonObject { ["values"] = JVector((string)q!["content"]!["parts"]![0]!["text"]!, d) }).ToArray()),
            }.ToJsonString()),
            (r, kind) =>
            {
                Assert.Equal(("POST", "/v1beta/models/text-embedding-004:batchEmbedContents"), (r.Method, r.Path));
                Assert.Equal("google-secret", r.Header("x-goog-api-key"));
                var first = r.Json["requests"]![0]!;
                Assert.Equal("models/text-embedding-004", (string?)first["model"]);
                Assert.Equal(kind == EmbeddingInputKind.Query ? "RETRIEVAL_QUERY" : "RETRIEVAL_DOCUMENT", (string?)first["taskType"]);
            }),
        new ProviderCase(
            "bedrock-text",
            url => new JsonObject { ["name"] = "amazon.titan-embed-text-v1", ["region"] = "eu-west-1", ["endpoint_url"] = url.AbsoluteUri, ["dim"] = Dim },
            (r, d) => ScriptedResponse.Json(200, new JsonObject { ["embedding"] = JVector((string)r.Json["inputText"]!, d), ["inputTextTokenCount"] = 3 }.ToJsonString()),
            (r, _) =>
            {
                Assert.Equal(("POST", "/model/amazon.titan-embed-text-v1/invoke"), (r.Method, r.Path));
                Assert.StartsWith("AWS4-HMAC-SHA256 Credential=AKIDLANCETEST/", r.Authorization);
                Assert.Contains("/eu-west-1/bedrock/aws4_request, SignedHeaders=content-type;host;x-amz-date;x-amz-security-token, Signature=", r.Authorization);
                Assert.Equal("session-token", r.Header("x-amz-security-token"));
                Assert.Matches("^[0-9]{8}T[0-9]{6}Z$", r.Header("x-amz-date"));
            }),
        new ProviderCase(
            "watsonx",
            url => new JsonObject { ["name"] = "ibm/slate-30m-english-rtrvr", ["url"] = url.AbsoluteUri, ["iam_url"] = new Uri(url, "identity/token").AbsoluteUri, ["project_id"] = "p-1", ["dim"] = Dim, ["api_key"] = "$var:LANCE_TEST_WATSONX_KEY" },
            (r, d) => r.Path == "/identity/token"
                ? ScriptedResponse.Json(200, """{"access_token":"iam-token","expires_in":3600,"token_type":"Bearer"}""")
                : ScriptedResponse.Json(200, new JsonObject
                {
                    ["model_id"] = "ibm/slate-30m-english-rtrvr",
                    ["results"] = new JsonArray(Strings(r.Json["inputs"]).Select(t => (JsonNode?)new JsonObject { ["embedding"] = JVector(t, d) }).ToArray()),
                }.ToJsonString()),
            (r, _) =>
            {
                Assert.Equal(("POST", "/ml/v1/text/embeddings", "Bearer iam-token"), (r.Method, r.Path, r.Authorization));
                Assert.Contains("version=2024-05-01", r.Query);
                Assert.Equal(("ibm/slate-30m-english-rtrvr", "p-1"), ((string?)r.Json["model_id"], (string?)r.Json["project_id"]));
            }),
        new ProviderCase(
            "openai",
            url => new JsonObject { ["name"] = "my-deployment", ["use_azure"] = true, ["base_url"] = url.AbsoluteUri, ["api_version"] = "2024-06-01", ["dim"] = Dim, ["api_key"] = "$var:LANCE_TEST_AZURE_KEY" },
            (r, d) => OpenAiShaped(Strings(r.Json["input"]), d),
            (r, _) =>
            {
                Assert.Equal(("POST", "/openai/deployments/my-deployment/embeddings"), (r.Method, r.Path));
                Assert.Equal("?api-version=2024-06-01", r.Query);
                Assert.Equal("azure-secret", r.Header("api-key"));
                Assert.Null(r.Authorization);
            }),
    }.ToDictionary(c => c.Name);

    /// <summary>The variables the cases' keys refer to, set on the default registry.</summary>
    public static void SetVariables()
    {
        EmbeddingFunctionRegistry.Default.AddLanceOrmEmbeddings()
            .SetVar("LANCE_TEST_CO_KEY", "co-secret")
            .SetVar("LANCE_TEST_JINA_KEY", "jina-secret")
            .SetVar("LANCE_TEST_VOYAGE_KEY", "voyage-secret")
            .SetVar("LANCE_TEST_GOOGLE_KEY", "google-secret")
            .SetVar("LANCE_TEST_WATSONX_KEY", "watsonx-secret")
            .SetVar("LANCE_TEST_AZURE_KEY", "azure-secret")
            .SetVar("AWS_ACCESS_KEY_ID", "AKIDLANCETEST")
            .SetVar("AWS_SECRET_ACCESS_KEY", "lance-test-secret")
            .SetVar("AWS_SESSION_TOKEN", "session-token");
    }

    private static JsonArray JVector(string text, int dimensions) => new(FakeOpenAi.Vector(text, dimensions).Select(v => (JsonNode?)JsonValue.Create(v)).ToArray());

    private static JsonArray Vectors(IEnumerable<string> texts, int dimensions) => new(texts.Select(t => (JsonNode?)JVector(t, dimensions)).ToArray());

    private static List<string> Strings(JsonNode? array) => array!.AsArray().Select(n => n!.GetValue<string>()).ToList();

    private static ScriptedResponse OpenAiShaped(List<string> inputs, int dimensions)
        => ScriptedResponse.Json(200, new JsonObject
        {
            ["object"] = "list",
            ["data"] = new JsonArray(inputs.Select((t, i) => (JsonNode?)new JsonObject { ["object"] = "embedding", ["index"] = i, ["embedding"] = JVector(t, dimensions) }).Reverse().ToArray()),
        }.ToJsonString());
}
