using Apache.Arrow;
using Apache.Arrow.Types;
using Lance.Orm;
using Lance.Orm.Embeddings;
using Lance.Orm.Embeddings.Tests;

namespace Lance.Interop.Tests;

/// <summary>
/// A table whose embedding metadata LanceDB (Node) wrote for its <c>huggingface</c> (transformers.js)
/// function: we recreate the function from that metadata with the model folder the user points at,
/// embed rows into the table and search it by text; LanceDB reads the rows back.
/// </summary>
public sealed class HuggingFaceTableFromLanceDbTests : IDisposable
{
    private readonly TempCopy _db = TempCopy.Empty();
    private readonly string _models = Directory.CreateTempSubdirectory("lance-hf-models-").FullName;
    private readonly LanceDbPeer _peer = LanceDbPeer.Default;

    public void Dispose()
    {
        _db.Dispose();
        Directory.Delete(_models, recursive: true);
    }

    [Fact]
    public async Task We_recreate_LanceDBs_huggingface_function_from_a_model_folder_and_search_its_table_by_text()
    {
        TinyModels.Write(Path.Combine(_models, "Xenova"), "WordPiece"); // the folder of "Xenova/wordpiece"
        using (var created = await _peer.RunAsync("embed-huggingface", new { db = _db.Path, table = "theirs", model = "Xenova/wordpiece", ndims = TinyModels.Dim }))
        {
            Assert.Contains("\"name\":\"huggingface\"", created.RootElement.GetProperty("metadata").GetProperty("embedding_functions").GetString(), StringComparison.Ordinal);
        }

        var registry = new EmbeddingFunctionRegistry().AddLanceOrmEmbeddings().SetVar(SentenceTransformer.ModelDirectoryVariable, _models);
        await using (var db = await LanceDb.ConnectAsync(_db.Path, new DatabaseOptions { Registry = registry }))
        {
            var table = await db.OpenTableAsync("theirs");
            var schema = new Schema([new Field("id", Int64Type.Default, true), new Field("text", StringType.Default, true)], null);
            var ids = new Int64Array.Builder().AppendRange([1, 2, 3]).Build();
            var texts = new StringArray.Builder().AppendRange(["hello world", "the dog", "cafe!"]).Build();
            await table.AddAsync(new RecordBatch(schema, [ids, texts], 3));

            var hit = await table.Search("The dog").Limit(1).ToBatchAsync();

            Assert.Equal(2L, ((Int64Array)hit.Column("id")).GetValue(0));
            var vector = ((FixedSizeListArray)hit.Column("vector")).Values as FloatArray;
            Assert.Equal(TinyModels.Reference([2, 10, 11, 3], "mean", normalize: false)[0], vector!.GetValue(0)!.Value, 5); // LanceDB Node's pooling: mean, not normalised
        }

        Assert.Equal(3, await _peer.CountAsync(_db.Path, "theirs"));
    }
}
