using Lance.Orm.Embeddings;

namespace Lance.Orm.Tests;

/// <summary>The whole path with the real all-MiniLM-L6-v2 model: typed rows in, text search out, reopened untyped.</summary>
public sealed class MiniLmEndToEndTests : IDisposable
{
    private static readonly string[] Texts =
    [
        "A puppy chases a ball across the park.",
        "The stock market fell sharply on Monday.",
        "Fresh basil makes the tomato sauce taste better.",
        "The train to the mountains leaves at dawn.",
        "An old cat sleeps on the warm windowsill.",
        "The compiler reports an error on line twelve.",
        "Heavy rain is expected for the whole weekend.",
        "The orchestra rehearsed the symphony all afternoon.",
    ];

    private readonly TempDb _db = new();

    public void Dispose() => _db.Dispose();

    private static IEnumerable<Doc> Docs() => Texts.Select((t, i) => new Doc { Id = i + 1, Text = t, Score = i * 0.5, Published = i % 2 == 0 });

    [Fact]
    public async Task Searching_for_a_young_dog_playing_finds_the_puppy()
    {
        var db = await _db.ConnectAsync();
        var docs = await db.CreateTableAsync<Doc>("docs", CreateMode.Overwrite);
        await docs.AddAsync(Docs());

        var top = await docs.Search("young dog playing").Limit(3).ToListAsync();

        Assert.Equal(1, top[0].Id);
        Assert.Equal(384, top[0].Vector!.Length);
    }

    [Fact]
    public async Task A_reopened_untyped_table_searches_with_the_stored_function()
    {
        var db = await _db.ConnectAsync();
        var docs = await db.CreateTableAsync<Doc>("docs", Docs());
        var expected = await docs.Search("rain forecast").ToListAsync();
        EmbeddingFunctionRegistry.Default.AddLanceOrmEmbeddings(); // another connection finds the function by registration

        var table = await (await LanceDb.ConnectAsync(_db.Path)).OpenTableAsync("docs");
        var raw = await table.Search("rain forecast").ToListAsync<Doc>();

        Assert.Equal("sentence-transformers", table.EmbeddingFunctions.Single().Name);
        Assert.Equal("all-MiniLM-L6-v2", (string?)table.EmbeddingFunctions.Single().Model!["name"]);
        Assert.Equal(7, raw[0].Id);
        Assert.Equal(expected.Select(d => d.Id), raw.Select(d => d.Id));
        Assert.Equal(Texts.Length, raw.Count); // default limit 10 covers all 8 rows
    }

    [Fact]
    public async Task A_table_reopened_untyped_on_the_same_database_reuses_the_model_its_typed_table_made()
    {
        var registry = new EmbeddingFunctionRegistry(); // nothing registered: the database's own model is found
        var db = await LanceDb.ConnectAsync(_db.Path, new DatabaseOptions { Registry = registry });
        var docs = await db.CreateTableAsync<Doc>("docs", Docs());
        var expected = await docs.Search("rain forecast").ToListAsync();

        var table = await db.OpenTableAsync("docs");
        var raw = await table.Search("rain forecast").ToListAsync<Doc>();

        Assert.Equal(expected.Select(d => d.Id), raw.Select(d => d.Id));
    }

    [Fact]
    public async Task A_typed_reopen_searches_by_vector()
    {
        var db = await _db.ConnectAsync();
        await db.CreateTableAsync<Doc>("docs", Docs());
        var query = await new MiniLm().ComputeQueryEmbeddingAsync("compiler error");

        var typed = await db.OpenTableAsync<Doc>("docs");
        var byVector = await typed.Search(query).Limit(1).ToListAsync();

        Assert.Equal(6, byVector.Single().Id);
    }
}
