using System.Text.Json;
using System.Text.Json.Nodes;
using Apache.Arrow;
using Apache.Arrow.Types;
using Lance.Orm;
using Lance.Orm.Embeddings;
using Lance.Orm.Embeddings.Tests;

namespace Lance.Interop.Tests;

/// <summary>
/// The <c>openai</c> embedding function both ways with the real LanceDB (Node), both pointed at a
/// loopback server that speaks OpenAI's embeddings API: LanceDB recreates our function from our
/// metadata (key as <c>$var:NAME</c>, set with its <c>setVar</c>) and searches our table by text;
/// we recreate LanceDB's from its metadata and search its table by text.
/// </summary>
public sealed class OpenAiEmbeddingsWithLanceDbTests : IDisposable
{
    private const int Dim = 1536; // text-embedding-3-small, a model LanceDB Node knows the size of
    private readonly TempCopy _db = TempCopy.Empty();
    private readonly LanceDbPeer _peer = LanceDbPeer.Default;
    private readonly LoopbackServer _server = new(Answer);

    public void Dispose()
    {
        _server.Dispose();
        _db.Dispose();
    }

    private string BaseUrl => new Uri(_server.BaseUrl, "v1").AbsoluteUri;

    // OpenAI's answer: one vector per input (LanceDB sends a single query as a bare string).
    private static ScriptedResponse Answer(RecordedRequest request)
    {
        var input = request.Json["input"]!;
        var texts = input is JsonArray array ? array.Select(n => n!.GetValue<string>()).ToList() : [input.GetValue<string>()];
        var data = new JsonArray(texts.Select((t, i) => (JsonNode?)new JsonObject
        {
            ["object"] = "embedding",
            ["index"] = i,
            ["embedding"] = new JsonArray(FakeOpenAi.Vector(t, Dim).Select(v => (JsonNode?)JsonValue.Create(v)).ToArray()),
        }).ToArray());
        return ScriptedResponse.Json(200, new JsonObject { ["object"] = "list", ["data"] = data, ["model"] = (string?)request.Json["model"] }.ToJsonString());
    }

    [Fact]
    public async Task LanceDB_recreates_our_openai_function_from_our_metadata_and_searches_our_table_by_text()
    {
        var openAi = new OpenAiEmbeddings(new OpenAiOptions
        {
            Model = "text-embedding-3-small",
            BaseUrl = new Uri(BaseUrl),
            ApiKey = "sk-dotnet-never-stored",
            ApiKeyVariable = "LANCE_INTEROP_OPENAI_KEY",
        });
        // The creator names its key as LanceDB users do: a variable set on the registry.
        var registry = new EmbeddingFunctionRegistry().Register(OpenAiEmbeddings.FunctionName, _ => openAi).SetVar("LANCE_INTEROP_OPENAI_KEY", "sk-dotnet-never-stored");
        var db = await LanceDb.ConnectAsync(_db.Path, new DatabaseOptions { Registry = registry });
        var ids = new Int64Array.Builder().AppendRange([1, 2, 3]).Build();
        var texts = new StringArray.Builder().AppendRange(["a", "abcd", "abcdefgh"]).Build();
        var schema = new Schema([new Field("id", Int64Type.Default, false), new Field("text", StringType.Default, true)], null);
        await db.CreateTableAsync("ours", [new RecordBatch(schema, [ids, texts], 3)], [new EmbeddingFunctionConfig(openAi.Name, openAi.GetConfiguration(), "text", "vector")]);
        var ourRequests = _server.RequestCount;

        using var result = await _peer.RunAsync("embed-openai", new
        {
            mode = "search",
            db = _db.Path,
            table = "ours",
            baseUrl = BaseUrl,
            vars = new Dictionary<string, string> { ["LANCE_INTEROP_OPENAI_KEY"] = "sk-node" },
            query = "abcd",
            k = 2,
        });

        var root = result.RootElement;
        var function = root.GetProperty("functions")[0];
        Assert.Equal("openai", function.GetProperty("name").GetString());
        Assert.Equal("$var:LANCE_INTEROP_OPENAI_KEY", function.GetProperty("model").GetProperty("apiKey").GetString());
        var rows = root.GetProperty("rows").EnumerateArray().ToList();
        Assert.Equal("abcd", rows[0].GetProperty("text").GetString());
        Assert.Equal(0, rows[0].GetProperty("_distance").GetDouble(), 3);
        var query = Assert.Single(_server.Requests.Skip(ourRequests));
        Assert.Equal("Bearer sk-node", query.Authorization); // LanceDB resolved the $var: we stored
        Assert.Equal("text-embedding-3-small", (string?)query.Json["model"]);
        Assert.DoesNotContain("sk-dotnet-never-stored", File.ReadAllText(Directory.EnumerateFiles(Path.Combine(_db.Path, "ours.lance", "_versions")).Single()), StringComparison.Ordinal);
    }

    [Fact]
    public async Task We_recreate_LanceDBs_openai_function_from_its_metadata_and_search_its_table_by_text()
    {
        using (var created = await _peer.RunAsync("embed-openai", new
        {
            mode = "create",
            db = _db.Path,
            table = "theirs",
            baseUrl = BaseUrl,
            vars = new Dictionary<string, string> { ["LANCE_INTEROP_NODE_KEY"] = "sk-node" },
            model = "text-embedding-3-small",
            apiKey = "$var:LANCE_INTEROP_NODE_KEY",
            texts = new[] { "x", "xyz", "xyzxyzxyz" },
        }))
        {
            var stored = created.RootElement.GetProperty("metadata").GetProperty("embedding_functions").GetString()!;
            Assert.Contains("\"apiKey\":\"$var:LANCE_INTEROP_NODE_KEY\"", stored, StringComparison.Ordinal);
            Assert.Equal("Bearer sk-node", _server.Requests[0].Authorization);
        }

        var nodeRequests = _server.RequestCount;
        var registry = new EmbeddingFunctionRegistry().AddLanceOrmEmbeddings().SetVar("LANCE_INTEROP_NODE_KEY", "sk-dotnet");
        // LanceDB stored no base URL: like LanceDB's own client, ours reads OPENAI_BASE_URL then.
        Environment.SetEnvironmentVariable("OPENAI_BASE_URL", BaseUrl);
        RecordBatch hit;
        try
        {
            var db = await LanceDb.ConnectAsync(_db.Path, new DatabaseOptions { Registry = registry });
            var table = await db.OpenTableAsync("theirs");
            hit = await table.Search("xyz").Limit(2).ToBatchAsync();
        }
        finally
        {
            Environment.SetEnvironmentVariable("OPENAI_BASE_URL", null);
        }

        Assert.Equal("xyz", ((StringArray)hit.Column("text")).GetString(0));
        var query = Assert.Single(_server.Requests.Skip(nodeRequests));
        Assert.Equal("Bearer sk-dotnet", query.Authorization);
        Assert.Equal("text-embedding-3-small", (string?)query.Json["model"]);
    }
}
