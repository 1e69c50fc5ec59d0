using System.Text.Json.Nodes;
using Apache.Arrow;
using Apache.Arrow.Types;
using Lance.Engine;

namespace Lance.Orm.Embeddings.Tests;

public sealed partial class CrossEncoderRerankerTests : IDisposable
{
    // Token ids by hand: [CLS] 2, [SEP] 3, the 4, dog 5, cat 6, runs 7, a 8, fast 9, car 10, ##s 11, what 12.
    private static readonly int[] WhatDog = [12, 5];
    private readonly TinyCrossEncoder _model = new();
    private readonly string _db = Path.Combine(Path.GetTempPath(), "lance-ce-db-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        _model.Dispose();
        try { Directory.Delete(_db, recursive: true); } catch (IOException) { }
    }

    private static float Expected(int[] query, int[] passage)
    {
        int[] ids = [2, .. query, 3, .. passage, 3];
        int[] types = [.. Enumerable.Repeat(0, query.Length + 2), .. Enumerable.Repeat(1, passage.Length + 1)];
        return TinyCrossEncoder.Sigmoid(TinyCrossEncoder.Logit(ids, types));
    }

    [Fact]
    public async Task Scores_are_the_model_run_on_the_query_and_passage_pair_with_its_token_types()
    {
        using var reranker = new CrossEncoderReranker(_model.Folder);

        var scores = await reranker.ScoreAsync("What dog", ["The dog runs", "a fast car", "cats", ""]);

        Assert.Equal(CrossEncoderActivation.Sigmoid, reranker.Activation);
        Assert.Equal(1, reranker.Labels);
        float[] expected = [Expected(WhatDog, [4, 5, 7]), Expected(WhatDog, [8, 9, 10]), Expected(WhatDog, [6, 11]), Expected(WhatDog, [])];
        Assert.Equal(expected, scores, (a, b) => Math.Abs(a - b) < 1e-5f);
    }

    [Fact]
    public async Task A_vocab_txt_folder_scores_as_its_tokenizer_json_twin()
    {
        using var vocabFolder = new TinyCrossEncoder(vocabTxt: true);
        using var fromJson = new CrossEncoderReranker(_model.Folder);
        using var fromVocab = new CrossEncoderReranker(vocabFolder.Folder);
        string[] passages = ["the dog runs", "fast cars", "a cat"];

        Assert.Equal(await fromJson.ScoreAsync("what dog", passages), await fromVocab.ScoreAsync("what dog", passages));
    }

    [Fact]
    public async Task A_long_pair_is_shortened_longest_text_first()
    {
        using var reranker = new CrossEncoderReranker(_model.Folder, new CrossEncoderOptions { MaxTokens = 8 });

        // 8 tokens leave 5 for the texts: the query keeps its 2, the passage its first 3.
        var scores = await reranker.ScoreAsync("what dog", ["the dog runs fast a car"]);

        Assert.Equal(Expected(WhatDog, [4, 5, 7]), scores[0], 5);
    }

    [Fact]
    public async Task The_identity_activation_from_the_folder_config_gives_the_raw_logit()
    {
        using var folder = new TinyCrossEncoder(config: new JsonObject
        {
            ["num_labels"] = 1,
            ["sentence_transformers"] = new JsonObject { ["activation_fn"] = "torch.nn.modules.linear.Identity" },
        });
        using var reranker = new CrossEncoderReranker(folder.Folder);

        var scores = await reranker.ScoreAsync("what dog", ["dog"]);

        Assert.Equal(CrossEncoderActivation.Identity, reranker.Activation);
        Assert.Equal(TinyCrossEncoder.Logit([2, 12, 5, 3, 5, 3], [0, 0, 0, 0, 1, 1]), scores[0], 5);
    }

    [Fact]
    public async Task Reranking_a_vector_search_orders_rows_by_the_model_and_fills_relevance()
    {
        var db = await LanceDb.ConnectAsync(_db);
        var table = await db.CreateTableAsync<Snippet>("snippets",
        [
            new Snippet { Id = 1, Text = "a fast car", Vector = [0, 0] },
            new Snippet { Id = 2, Text = "the cat", Vector = [1, 0] },
            new Snippet { Id = 3, Text = "the dog runs", Vector = [2, 0] },
            new Snippet { Id = 4, Text = "the dog", Vector = [30, 0] },
        ]);
        using var reranker = new CrossEncoderReranker(_model.Folder);

        var hits = await table.Search([0f, 0f]).Limit(3).Rerank(reranker, "what dog").ToListAsync();

        Assert.Equal([3L, 2, 1], hits.Select(h => h.Id));
        Assert.Equal(Expected(WhatDog, [4, 5, 7]), hits[0].Relevance, 5);
    }

    [Fact]
    public async Task A_search_by_vector_without_query_text_is_refused_with_the_fix()
    {
        var db = await LanceDb.ConnectAsync(_db);
        var table = await db.CreateTableAsync<Snippet>("snippets", [new Snippet { Id = 1, Text = "dog", Vector = [0, 0] }]);
        using var reranker = new CrossEncoderReranker(_model.Folder);

        var error = await Assert.ThrowsAsync<ArgumentException>(() => table.Search([0f, 0f]).Rerank(reranker).ToListAsync());

        Assert.Contains(".Rerank(reranker, ", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Results_without_the_text_column_are_refused_naming_it()
    {
        using var reranker = new CrossEncoderReranker(_model.Folder, new CrossEncoderOptions { Column = "body" });
        var batch = Batch(("text", "dog", 1UL));

        var error = await Assert.ThrowsAsync<LanceSchemaException>(() => reranker.RerankVectorAsync("what dog", batch));

        Assert.Contains("'body'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_hybrid_rerank_scores_each_merged_row_once()
    {
        using var reranker = new CrossEncoderReranker(_model.Folder);
        var vector = Batch(("text", "a car", 1UL), ("text", "the dog", 2UL));
        var fullText = Batch(("text", "the dog", 2UL), ("text", "dog runs", 3UL));

        var fused = await reranker.RerankHybridAsync("what dog", vector, fullText);

        Assert.Equal([3UL, 2, 1], RerankResults.RowIds(fused));
        Assert.Equal(Expected(WhatDog, [5, 7]), RerankResults.Relevance(fused).GetValue(0)!.Value, 5);
    }

    [Fact]
    public void A_folder_without_a_model_is_refused_clearly()
    {
        var empty = Directory.CreateTempSubdirectory("lance-ce-empty").FullName;
        try
        {
            var error = Assert.Throws<EmbeddingException>(() => new CrossEncoderReranker(empty));
            Assert.Contains("model.onnx", error.Message, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(empty, recursive: true);
        }
    }

    private static RecordBatch Batch(params (string Column, string Text, ulong Id)[] rows)
    {
        var texts = new StringArray.Builder();
        var distances = new FloatArray.Builder();
        var ids = new UInt64Array.Builder();
        foreach (var (_, text, id) in rows)
        {
            texts.Append(text);
            distances.Append(0.5f);
            ids.Append(id);
        }

        var schema = new Schema(
        [
            new Field(rows[0].Column, StringType.Default, true),
            new Field("_distance", FloatType.Default, true),
            new Field("_rowid", UInt64Type.Default, true),
        ], null);
        return new RecordBatch(schema, [texts.Build(), distances.Build(), ids.Build()], rows.Length);
    }

    public partial record Snippet : ILanceModel
    {
        public long Id { get; init; }
        public string Text { get; init; } = "";
        [Vector(2)] public float[] Vector { get; init; } = [];
        [Relevance] public float Relevance { get; init; }
    }
}
