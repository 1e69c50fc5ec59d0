using Apache.Arrow;
using Apache.Arrow.Types;
using Lance.Engine.Dataset;
using Lance.Engine.Tests.Support;

namespace Lance.Engine.Tests.Index;

/// <summary>
/// Refining re-ranks an index's candidates by their exact vectors, read by positioned reads where the column lies flat
/// in its file and from the leased column otherwise: both ways must give every row its exact distance.
/// </summary>
public sealed class RefineReadTests : IDisposable
{
    private const int Dim = 32;
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    [Theory]
    [InlineData("ivf_pq", true)]
    [InlineData("ivf_pq", false)]
    [InlineData("ivf_hnsw_sq", true)]
    public async Task Refined_distances_are_the_exact_distances_of_the_rows_returned(string kind, bool mapColumns)
    {
        var vectors = IndexData.Vectors(3000, Dim, seed: 7);
        var batch = IndexData.Batch(vectors, 0);
        var path = _temp.Combine("t.lance");
        await using (var created = await LanceDataset.CreateAsync(path, batch.Schema, [batch], options: new DatasetWriteOptions { MaxRowsPerFile = 1000 }))
        {
            await created.CreateIndexAsync("vector", Config(kind));
        }

        await using var dataset = await LanceDataset.OpenAsync(path, new DatasetOpenOptions { MapColumns = mapColumns });
        foreach (var query in IndexData.Vectors(5, Dim, seed: 70))
        {
            var hits = await dataset.SearchAsync(new VectorSearchRequest("vector", query, 10) { Nprobes = 4, RefineFactor = 5 });
            AssertExact(hits, id => vectors[id], query);
        }
    }

    [Fact]
    public async Task A_vector_column_with_null_rows_is_refined_from_the_leased_column_and_never_returns_a_null_row()
    {
        // A null row keeps the column from lying flat in its file, so refining reads the column instead.
        var vectors = IndexData.Vectors(2000, Dim, seed: 11);
        var batch = WithNullEvery(vectors, 7);
        var path = _temp.Combine("nulls.lance");
        await using var dataset = await LanceDataset.CreateAsync(path, batch.Schema, [batch]);
        await dataset.CreateIndexAsync("vector", Config("ivf_pq"));

        foreach (var query in IndexData.Vectors(5, Dim, seed: 71))
        {
            var hits = await dataset.SearchAsync(new VectorSearchRequest("vector", query, 10) { Nprobes = 16, RefineFactor = 10 });
            Assert.Equal(10, hits.Length);
            Assert.DoesNotContain(IndexData.Ids(hits), id => id % 7 == 0);
            AssertExact(hits, id => vectors[id], query);
        }
    }

    private static IndexConfig Config(string kind) => kind == "ivf_pq"
        ? IndexConfig.From(new IvfPqOptions { NumPartitions = 8, NumSubVectors = 8 })
        : IndexConfig.IvfHnswSq(numPartitions: 4);

    private static void AssertExact(RecordBatch hits, Func<long, float[]> vectorOf, float[] query)
    {
        var ids = IndexData.Ids(hits);
        var distances = (FloatArray)hits.Column("_distance");
        Assert.NotEmpty(ids);
        for (var i = 0; i < ids.Length; i++)
        {
            var exact = IndexData.Distance(vectorOf(ids[i]), query, DistanceMetric.L2);
            Assert.Equal(exact, distances.GetValue(i)!.Value, Math.Max(1e-3f, exact * 1e-4f));
        }

        Assert.True(Enumerable.Range(1, ids.Length - 1).All(i => distances.GetValue(i - 1) <= distances.GetValue(i)), "results are ranked by exact distance");
    }

    private static RecordBatch WithNullEvery(float[][] vectors, int every)
    {
        var ids = new Int64Array.Builder();
        var labels = new StringArray.Builder();
        var builder = new FixedSizeListArray.Builder(FloatType.Default, Dim);
        var values = (FloatArray.Builder)builder.ValueBuilder;
        for (var i = 0; i < vectors.Length; i++)
        {
            ids.Append(i);
            labels.Append($"row {i}");
            if (i % every == 0)
            {
                builder.AppendNull();
            }
            else
            {
                builder.Append();
                values.AppendRange(vectors[i]);
            }
        }

        return new RecordBatch(IndexData.Schema(Dim), [ids.Build(), labels.Build(), builder.Build()], vectors.Length);
    }
}
