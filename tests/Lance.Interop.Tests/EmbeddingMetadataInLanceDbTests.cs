using System.Text.Json.Nodes;
using Apache.Arrow;
using Apache.Arrow.Types;
using Lance.Orm;
using Lance.Orm.Embeddings;

namespace Lance.Interop.Tests;

/// <summary>Embedding configuration written by Lance.Orm, as the real LanceDB (Node) reads it.</summary>
public sealed class EmbeddingMetadataInLanceDbTests : IDisposable
{
    private readonly TempCopy _db = TempCopy.Empty();
    private readonly LanceDbPeer _peer = LanceDbPeer.Default;

    public void Dispose() => _db.Dispose();

    [Fact]
    public async Task LanceDB_reads_several_functions_in_pythons_shape_with_secrets_as_var_references()
    {
        EmbeddingFunctionRegistry.Default.AddLanceOrmEmbeddings();
        var openAi = new OpenAiEmbeddings(new OpenAiOptions { Model = "text-embedding-3-small", ApiKey = "sk-never-stored" });
        var clip = new OpenClip(new OpenClipOptions { Dimensions = 512 });
        var schema = new Schema(
        [
            new Field("id", Int64Type.Default, false),
            new Field("text", StringType.Default, true),
            new Field("image_uri", StringType.Default, true),
            new Field("text_vector", new FixedSizeListType(new Field("item", FloatType.Default, true), 1536), true),
            new Field("image_vector", new FixedSizeListType(new Field("item", FloatType.Default, true), 512), true),
        ], null);
        var db = await LanceDb.ConnectAsync(_db.Path);
        await db.CreateTableAsync("multi", schema,
        [
            new EmbeddingFunctionConfig(openAi.Name, openAi.GetConfiguration(), "text", "text_vector"),
            new EmbeddingFunctionConfig(clip.Name, clip.GetConfiguration(), "image_uri", "image_vector"),
        ]);

        var scan = await _peer.ScanAsync(_db.Path, "multi");

        var json = scan.Metadata["embedding_functions"];
        var entries = JsonNode.Parse(json)!.AsArray().Select(e => e!.AsObject()).ToList();
        Assert.Equal(["openai", "open-clip"], entries.Select(e => (string?)e["name"]));
        Assert.Equal(["text", "image_uri"], entries.Select(e => (string?)e["source_column"]));
        Assert.Equal(["text_vector", "image_vector"], entries.Select(e => (string?)e["vector_column"]));
        Assert.Equal("$var:OPENAI_API_KEY", (string?)entries[0]["model"]!["api_key"]);
        Assert.Equal("ViT-B-32", (string?)entries[1]["model"]!["name"]);
        Assert.DoesNotContain("sk-never-stored", json, StringComparison.Ordinal);
        Assert.Equal("FixedSizeList[1536]<Float32>", scan.Field("text_vector").Type);
    }
}
