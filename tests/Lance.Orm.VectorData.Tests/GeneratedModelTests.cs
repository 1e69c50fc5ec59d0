using Microsoft.Extensions.VectorData;

namespace Lance.Orm.VectorData.Tests;

public partial record Article : ILanceModel
{
    [VectorStoreKey] public long Id { get; init; }
    [VectorStoreData] public string Title { get; init; } = "";
    [VectorStoreData] public int PublishedYear { get; init; }
    [Vector(3)]
    [VectorStoreVector(3, DistanceFunction = DistanceFunction.EuclideanSquaredDistance)]
    public float[] Embedding { get; init; } = [];
}

/// <summary>Records that are generated <see cref="ILanceModel"/> models go through their generated serializers and column names.</summary>
public sealed class GeneratedModelTests : IDisposable
{
    private readonly TestStore _store = new();

    public void Dispose() => _store.Dispose();

    private static readonly Article[] Articles =
    [
        new() { Id = 1, Title = "Lance", PublishedYear = 2022, Embedding = [0, 0, 0] },
        new() { Id = 2, Title = "Arrow", PublishedYear = 2016, Embedding = [1, 1, 1] },
        new() { Id = 3, Title = "Parquet", PublishedYear = 2013, Embedding = [5, 5, 5] },
    ];

    [Fact]
    public async Task Generated_records_round_trip_and_the_table_has_the_generated_snake_case_columns()
    {
        var articles = await _store.CollectionAsync<long, Article>("articles");
        await articles.UpsertAsync(Articles);

        var two = await articles.GetAsync(2, new RecordRetrievalOptions { IncludeVectors = true });
        await using var database = await LanceDb.ConnectAsync(_store.Folder);
        var table = await database.OpenTableAsync("articles");

        Assert.Equal(Articles[1], two! with { Embedding = Articles[1].Embedding });
        Assert.Equal([1f, 1f, 1f], two.Embedding);
        Assert.Equal(["id", "title", "published_year", "embedding"], table.Schema.FieldsList.Select(f => f.Name));
    }

    [Fact]
    public async Task Filters_and_search_use_the_generated_column_names()
    {
        var articles = await _store.CollectionAsync<long, Article>("articles");
        await articles.UpsertAsync(Articles);

        var recent = await articles.SearchAsync(new float[] { 4, 4, 4 }, 5, new VectorSearchOptions<Article> { Filter = a => a.PublishedYear > 2014 }).ToListAsync();
        var byFilter = await articles.GetAsync(a => a.Title == "Parquet", 5).SingleAsync();

        Assert.Equal([2L, 1L], recent.Select(r => r.Record.Id));
        Assert.Equal(27, recent[0].Score!.Value, 3);
        Assert.Equal(3, byFilter.Id);
    }

    [Fact]
    public async Task Without_IncludeVectors_the_generated_vector_is_left_empty()
    {
        var articles = await _store.CollectionAsync<long, Article>("articles");
        await articles.UpsertAsync(Articles);

        var one = await articles.GetAsync(1);

        Assert.Equal("Lance", one!.Title);
        Assert.Empty(one.Embedding);
    }

    [Fact]
    public async Task A_collection_written_through_MEVD_reads_as_the_typed_ORM_table()
    {
        var articles = await _store.CollectionAsync<long, Article>("articles");
        await articles.UpsertAsync(Articles);
        await articles.UpsertAsync(Articles[0] with { Title = "Lance v2" });

        await using var database = await LanceDb.ConnectAsync(_store.Folder);
        var table = await database.OpenTableAsync<Article>("articles");
        var rows = await table.Query().ToListAsync();

        Assert.Equal(["Arrow", "Lance v2", "Parquet"], rows.Select(r => r.Title).Order());
    }
}

public sealed class LanceEmbeddingGeneratorTests
{
    [Fact]
    public async Task A_Lance_embedding_function_serves_as_an_MEVD_generator()
    {
        var generator = new LanceEmbeddingGenerator(new LetterFunction());

        var embeddings = await generator.GenerateAsync(["ab", "c"]);
        var metadata = (Microsoft.Extensions.AI.EmbeddingGeneratorMetadata)generator.GetService(typeof(Microsoft.Extensions.AI.EmbeddingGeneratorMetadata))!;

        Assert.Equal([1f, 1f, 0f], embeddings[0].Vector.ToArray());
        Assert.Equal([0f, 0f, 1f], embeddings[1].Vector.ToArray());
        Assert.Equal(("letters", 3), (metadata.DefaultModelId, metadata.DefaultModelDimensions));
    }

    [Fact]
    public async Task Each_generator_call_is_an_embed_span_on_the_Lance_Orm_source()
    {
        var spans = new System.Collections.Concurrent.ConcurrentBag<System.Diagnostics.Activity>();
        using var listener = new System.Diagnostics.ActivityListener
        {
            ShouldListenTo = s => s.Name == LanceTelemetry.Name,
            Sample = (ref System.Diagnostics.ActivityCreationOptions<System.Diagnostics.ActivityContext> _) => System.Diagnostics.ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = spans.Add,
        };
        System.Diagnostics.ActivitySource.AddActivityListener(listener);
        var generator = new LanceEmbeddingGenerator(new LetterFunction());

        await generator.GenerateAsync(["ab", "c"]);

        var span = Assert.Single(spans, s => s.DisplayName == "embed" && (s.GetTagItem("lance.embedding.operation") as string)?.StartsWith("'letters'", StringComparison.Ordinal) == true);
        Assert.Equal("'letters' for 2 MEVD input(s)", span.GetTagItem("lance.embedding.operation"));
        Assert.Equal("lancedb", span.GetTagItem("db.system.name"));
    }

    [Fact]
    public async Task Transient_failures_are_retried_as_the_ORMs_embedding_calls_are_and_others_are_not()
    {
        var flaky = new FlakyFunction(failures: 2, new HttpRequestException("busy", null, System.Net.HttpStatusCode.ServiceUnavailable));
        var retry = new EmbeddingRetryPipeline(new EmbeddingRetryOptions { MaxRetries = 3, BaseDelay = TimeSpan.Zero, MaxDelay = TimeSpan.Zero });
        var broken = new FlakyFunction(failures: 1, new HttpRequestException("no", null, System.Net.HttpStatusCode.Unauthorized));

        var embeddings = await new LanceEmbeddingGenerator(flaky, retry).GenerateAsync(["x"]);
        var refused = await Assert.ThrowsAsync<EmbeddingException>(() => new LanceEmbeddingGenerator(broken, retry).GenerateAsync(["x"]));

        Assert.Equal([1f], embeddings[0].Vector.ToArray());
        Assert.Equal(3, flaky.Calls);
        Assert.Equal(1, broken.Calls);
        Assert.Contains("'flaky' for 1 MEVD input(s)", refused.Message, StringComparison.Ordinal);
    }

    private sealed class FlakyFunction(int failures, Exception error) : IEmbeddingFunction
    {
        public int Calls { get; private set; }

        public string Name => "flaky";

        public int Dimensions => 1;

        public System.Text.Json.Nodes.JsonObject GetConfiguration() => [];

        public Task<float[][]> ComputeSourceEmbeddingsAsync(IReadOnlyList<string> sources, CancellationToken cancellationToken = default)
            => ++Calls <= failures ? Task.FromException<float[][]>(error) : Task.FromResult(sources.Select(_ => new[] { 1f }).ToArray());

        public Task<float[]> ComputeQueryEmbeddingAsync(string query, CancellationToken cancellationToken = default)
            => throw new InvalidOperationException("MEVD embeds queries as sources");
    }

    private sealed class LetterFunction : IEmbeddingFunction
    {
        public string Name => "letters";

        public int Dimensions => 3;

        public System.Text.Json.Nodes.JsonObject GetConfiguration() => [];

        public Task<float[][]> ComputeSourceEmbeddingsAsync(IReadOnlyList<string> sources, CancellationToken cancellationToken = default)
            => Task.FromResult(sources.Select(s => new float[] { s.Count(c => c == 'a'), s.Count(c => c == 'b'), s.Count(c => c == 'c') }).ToArray());

        public Task<float[]> ComputeQueryEmbeddingAsync(string query, CancellationToken cancellationToken = default)
            => throw new InvalidOperationException("MEVD embeds queries as sources");
    }
}
