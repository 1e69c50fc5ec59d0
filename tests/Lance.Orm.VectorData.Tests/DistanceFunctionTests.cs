using Microsoft.Extensions.VectorData;

namespace Lance.Orm.VectorData.Tests;

/// <summary>
/// Three records at known positions; each supported distance function must order them as MEVD
/// defines it and report MEVD's score (similarities: higher is closer; distances: lower is closer).
/// </summary>
public sealed class DistanceFunctionTests : IDisposable
{
    private readonly TestStore _store = new();

    public void Dispose() => _store.Dispose();

    private async Task<List<VectorSearchResult<Dictionary<string, object?>>>> SearchAsync(string? function, float[] query)
    {
        var definition = new VectorStoreCollectionDefinition
        {
            Properties =
            [
                new VectorStoreKeyProperty("Id", typeof(long)),
                new VectorStoreVectorProperty("Vector", typeof(ReadOnlyMemory<float>), 2) { DistanceFunction = function },
            ],
        };
        var collection = _store.Store.GetDynamicCollection("d" + (function ?? "default").ToLowerInvariant(), definition);
        await collection.EnsureCollectionExistsAsync();
        await collection.UpsertAsync([
            new Dictionary<string, object?> { ["Id"] = 1L, ["Vector"] = new ReadOnlyMemory<float>([1f, 0f]) },
            new Dictionary<string, object?> { ["Id"] = 2L, ["Vector"] = new ReadOnlyMemory<float>([0f, 1f]) },
            new Dictionary<string, object?> { ["Id"] = 3L, ["Vector"] = new ReadOnlyMemory<float>([-1f, 0f]) },
        ]);
        return await collection.SearchAsync(query, 3).ToListAsync();
    }

    private static void AssertResults(List<VectorSearchResult<Dictionary<string, object?>>> results, long[] ids, double[] scores)
    {
        Assert.Equal(ids, results.Select(r => (long)r.Record["Id"]!));
        for (var i = 0; i < scores.Length; i++)
        {
            Assert.Equal(scores[i], results[i].Score!.Value, 4);
        }
    }

    [Fact]
    public async Task CosineSimilarity() => AssertResults(await SearchAsync(DistanceFunction.CosineSimilarity, [1, 0]), [1, 2, 3], [1, 0, -1]);

    [Fact]
    public async Task CosineDistance() => AssertResults(await SearchAsync(DistanceFunction.CosineDistance, [1, 0]), [1, 2, 3], [0, 1, 2]);

    [Fact]
    public async Task DotProductSimilarity() => AssertResults(await SearchAsync(DistanceFunction.DotProductSimilarity, [2, 0]), [1, 2, 3], [2, 0, -2]);

    [Fact]
    public async Task NegativeDotProductSimilarity() => AssertResults(await SearchAsync(DistanceFunction.NegativeDotProductSimilarity, [2, 0]), [1, 2, 3], [-2, 0, 2]);

    [Fact]
    public async Task EuclideanDistance() => AssertResults(await SearchAsync(DistanceFunction.EuclideanDistance, [1, 0]), [1, 2, 3], [0, Math.Sqrt(2), 2]);

    [Fact]
    public async Task EuclideanSquaredDistance() => AssertResults(await SearchAsync(DistanceFunction.EuclideanSquaredDistance, [1, 0]), [1, 2, 3], [0, 2, 4]);

    [Fact]
    public async Task The_default_is_cosine_distance() => AssertResults(await SearchAsync(null, [1, 0]), [1, 2, 3], [0, 1, 2]);

    [Theory]
    [InlineData(DistanceFunction.ManhattanDistance)]
    [InlineData(DistanceFunction.HammingDistance)]
    public void Unsupported_functions_are_refused_when_the_collection_is_made(string function)
    {
        var definition = new VectorStoreCollectionDefinition
        {
            Properties = [new VectorStoreKeyProperty("Id", typeof(long)), new VectorStoreVectorProperty("Vector", typeof(ReadOnlyMemory<float>), 2) { DistanceFunction = function }],
        };

        var error = Assert.Throws<NotSupportedException>(() => _store.Store.GetDynamicCollection("x", definition));

        Assert.Contains(function, error.Message);
    }

    [Fact]
    public async Task Score_threshold_of_a_similarity_keeps_scores_at_or_above_it()
    {
        var definition = new VectorStoreCollectionDefinition
        {
            Properties = [new VectorStoreKeyProperty("Id", typeof(long)), new VectorStoreVectorProperty("Vector", typeof(ReadOnlyMemory<float>), 2) { DistanceFunction = DistanceFunction.CosineSimilarity }],
        };
        var collection = _store.Store.GetDynamicCollection("threshold", definition);
        await collection.EnsureCollectionExistsAsync();
        await collection.UpsertAsync([
            new Dictionary<string, object?> { ["Id"] = 1L, ["Vector"] = new ReadOnlyMemory<float>([1f, 0f]) },
            new Dictionary<string, object?> { ["Id"] = 2L, ["Vector"] = new ReadOnlyMemory<float>([1f, 1f]) },
            new Dictionary<string, object?> { ["Id"] = 3L, ["Vector"] = new ReadOnlyMemory<float>([0f, 1f]) },
        ]);

        var results = await collection.SearchAsync(new float[] { 1, 0 }, 3, new VectorSearchOptions<Dictionary<string, object?>> { ScoreThreshold = 0.5 }).ToListAsync();

        Assert.Equal([1L, 2L], results.Select(r => (long)r.Record["Id"]!));
    }
}
