using Microsoft.Extensions.AI;
using Microsoft.Extensions.VectorData;

namespace Lance.Orm.VectorData.Tests;

public sealed class EmbeddingGenerationTests : IDisposable
{
    private readonly FakeEmbeddingGenerator _generator = new();
    private readonly TestStore _store;

    public EmbeddingGenerationTests() => _store = new TestStore(_generator);

    public void Dispose() => _store.Dispose();

    private static readonly Document[] Docs =
    [
        new() { Id = 1, Text = "aaa", Embedding = "aaa" },
        new() { Id = 2, Text = "bbb", Embedding = "bbb" },
        new() { Id = 3, Text = "ccd", Embedding = "ccd" },
    ];

    [Fact]
    public async Task String_vector_property_is_embedded_on_upsert_with_the_stores_generator_in_one_call()
    {
        var docs = await _store.CollectionAsync<long, Document>("docs");

        await docs.UpsertAsync(Docs);

        Assert.Equal(1, _generator.Calls);
        Assert.Equal(["aaa", "bbb", "ccd"], _generator.Inputs);
    }

    [Fact]
    public async Task Search_by_text_embeds_the_query_and_finds_the_nearest()
    {
        var docs = await _store.CollectionAsync<long, Document>("docs");
        await docs.UpsertAsync(Docs);

        var best = await docs.SearchAsync("bb", 1).SingleAsync();

        Assert.Equal(2, best.Record.Id);
        Assert.Null(best.Record.Embedding);
    }

    [Fact]
    public async Task IncludeVectors_with_generated_embeddings_is_NotSupported()
    {
        var docs = await _store.CollectionAsync<long, Document>("docs");
        await docs.UpsertAsync(Docs);

        await Assert.ThrowsAsync<NotSupportedException>(() => docs.GetAsync(1, new RecordRetrievalOptions { IncludeVectors = true }));
        await Assert.ThrowsAsync<NotSupportedException>(() => docs.SearchAsync("a", 1, new VectorSearchOptions<Document> { IncludeVectors = true }).ToListAsync().AsTask());
    }

    [Fact]
    public async Task Collection_generator_from_options_overrides_the_store()
    {
        using var plain = new TestStore();
        var own = new FakeEmbeddingGenerator();
        var database = await LanceDb.ConnectAsync(plain.Folder);
        await using var _ = database;
        var docs = new LanceCollection<long, Document>(database, "docs", new LanceCollectionOptions { EmbeddingGenerator = own });
        await docs.EnsureCollectionExistsAsync();

        await docs.UpsertAsync(Docs);
        var best = await docs.SearchAsync("cc", 1).SingleAsync();

        Assert.Equal(3, best.Record.Id);
        Assert.Equal(2, own.Calls);
    }

    [Fact]
    public async Task Property_level_generator_in_a_definition_is_used()
    {
        using var plain = new TestStore();
        var own = new FakeEmbeddingGenerator();
        var definition = new VectorStoreCollectionDefinition
        {
            Properties =
            [
                new VectorStoreKeyProperty("Id", typeof(long)),
                new VectorStoreDataProperty("Text", typeof(string)),
                new VectorStoreVectorProperty("Embedding", typeof(string), 4) { EmbeddingGenerator = own },
            ],
        };
        var docs = await plain.CollectionAsync<long, Document>("docs", definition);

        await docs.UpsertAsync(Docs);
        var best = await docs.SearchAsync("aa", 1).SingleAsync();

        Assert.Equal(1, best.Record.Id);
        Assert.Equal(2, own.Calls);
    }

    [Fact]
    public async Task Native_vector_property_with_a_generator_searches_by_text_and_by_vector()
    {
        var points = await _store.CollectionAsync<string, StringKeyed>("native-4", new VectorStoreCollectionDefinition
        {
            Properties =
            [
                new VectorStoreKeyProperty("Id", typeof(string)),
                new VectorStoreDataProperty("Text", typeof(string)),
                new VectorStoreVectorProperty("Vector", typeof(float[]), 4) { DistanceFunction = DistanceFunction.EuclideanSquaredDistance },
            ],
        });
        await points.UpsertAsync([
            new StringKeyed { Id = "a", Text = "a", Vector = FakeEmbeddingGenerator.Vector("aa") },
            new StringKeyed { Id = "d", Text = "d", Vector = FakeEmbeddingGenerator.Vector("dd") },
        ]);

        var byText = await points.SearchAsync("ddd", 1).SingleAsync();
        var byVector = await points.SearchAsync(FakeEmbeddingGenerator.Vector("a"), 1).SingleAsync();

        Assert.Equal("d", byText.Record.Id);
        Assert.Equal("a", byVector.Record.Id);
    }

    [Fact]
    public void String_vector_property_without_any_generator_is_refused()
    {
        using var plain = new TestStore();

        Assert.Throws<InvalidOperationException>(() => plain.Store.GetCollection<long, Document>("docs"));
    }

    [Fact]
    public async Task A_generator_of_another_output_type_is_refused()
    {
        using var plain = new TestStore(new DoubleGenerator());

        await Task.Yield();
        Assert.Throws<InvalidOperationException>(() => plain.Store.GetCollection<long, Document>("docs"));
    }

    private sealed class DoubleGenerator : IEmbeddingGenerator<string, Embedding<double>>
    {
        public Task<GeneratedEmbeddings<Embedding<double>>> GenerateAsync(IEnumerable<string> values, EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default)
            => throw new InvalidOperationException("not called");

        public object? GetService(Type serviceType, object? serviceKey = null) => null;

        public void Dispose()
        {
        }
    }
}
