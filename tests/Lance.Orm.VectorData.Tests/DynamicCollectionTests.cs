using Microsoft.Extensions.VectorData;

namespace Lance.Orm.VectorData.Tests;

public sealed class DynamicCollectionTests : IDisposable
{
    private readonly TestStore _store = new();

    public void Dispose() => _store.Dispose();

    private static readonly VectorStoreCollectionDefinition Definition = new()
    {
        Properties =
        [
            new VectorStoreKeyProperty("Key", typeof(string)),
            new VectorStoreDataProperty("Title", typeof(string)),
            new VectorStoreDataProperty("Year", typeof(int)) { IsIndexed = true },
            new VectorStoreVectorProperty("Vector", typeof(ReadOnlyMemory<float>), 2) { DistanceFunction = DistanceFunction.EuclideanSquaredDistance, StorageName = "vec" },
        ],
    };

    private async Task<VectorStoreCollection<object, Dictionary<string, object?>>> SeededAsync()
    {
        var movies = _store.Store.GetDynamicCollection("movies", Definition);
        await movies.EnsureCollectionExistsAsync();
        await movies.UpsertAsync([
            new Dictionary<string, object?> { ["Key"] = "m1", ["Title"] = "One", ["Year"] = 1999, ["Vector"] = new ReadOnlyMemory<float>([0f, 0f]) },
            new Dictionary<string, object?> { ["Key"] = "m2", ["Title"] = "Two", ["Year"] = 2005, ["Vector"] = new ReadOnlyMemory<float>([5f, 5f]) },
            new Dictionary<string, object?> { ["Key"] = "m3", ["Title"] = null, ["Year"] = 2010, ["Vector"] = new ReadOnlyMemory<float>([1f, 1f]) },
        ]);
        return movies;
    }

    [Fact]
    public async Task Dictionary_records_round_trip_by_key()
    {
        var movies = await SeededAsync();

        var one = await movies.GetAsync("m1", new RecordRetrievalOptions { IncludeVectors = true });
        var three = await movies.GetAsync("m3");

        Assert.Equal("One", one!["Title"]);
        Assert.Equal(1999, one["Year"]);
        Assert.Equal([0f, 0f], ((ReadOnlyMemory<float>)one["Vector"]!).ToArray());
        Assert.Null(three!["Title"]);
        Assert.False(three.ContainsKey("Vector"));
    }

    [Fact]
    public async Task Dictionary_filters_use_the_indexer()
    {
        var movies = await SeededAsync();

        var recent = await movies.GetAsync(m => (int)m["Year"]! > 2000, 10).Select(m => (string)m["Key"]!).Order().ToListAsync();
        var searched = await movies.SearchAsync(new float[] { 0, 0 }, 5, new VectorSearchOptions<Dictionary<string, object?>> { Filter = m => (string)m["Title"]! == "Two" }).ToListAsync();

        Assert.Equal(["m2", "m3"], recent);
        Assert.Equal("m2", Assert.Single(searched).Record["Key"]);
    }

    [Fact]
    public async Task Dictionary_search_uses_the_storage_name_and_deletes_by_boxed_key()
    {
        var movies = await SeededAsync();

        var nearest = await movies.SearchAsync(new float[] { 0.9f, 0.9f }, 1).SingleAsync();
        await movies.DeleteAsync("m3");

        Assert.Equal("m3", nearest.Record["Key"]);
        Assert.Null(await movies.GetAsync("m3"));
    }

    [Fact]
    public async Task A_dynamic_and_a_typed_collection_share_one_table()
    {
        await SeededAsync();
        var typed = _store.Store.GetCollection<string, Movie>("movies");

        var two = await typed.GetAsync("m2");

        Assert.Equal(("Two", 2005), (two!.Title, two.Year));
    }

    public sealed class Movie
    {
        [VectorStoreKey] public string Key { get; set; } = "";
        [VectorStoreData] public string? Title { get; set; }
        [VectorStoreData] public int Year { get; set; }
        [VectorStoreVector(2, StorageName = "vec")] public ReadOnlyMemory<float>? Vector { get; set; }
    }
}
