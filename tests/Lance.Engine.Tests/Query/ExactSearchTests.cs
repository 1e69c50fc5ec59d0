using Apache.Arrow;
using Apache.Arrow.Types;
using Lance.Engine.Tests.Support;

namespace Lance.Engine.Tests.Query;

public sealed class ExactSearchTests : IDisposable
{
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    [Theory]
    [InlineData(DistanceMetric.L2)]
    [InlineData(DistanceMetric.Cosine)]
    [InlineData(DistanceMetric.Dot)]
    public async Task Search_returns_what_a_naive_double_precision_scan_returns(DistanceMetric metric)
    {
        const int Dim = 48;
        var batches = new[] { Batches.Docs(0, 3000, Dim, seed: 7), Batches.Docs(3000, 2500, Dim, seed: 9) };
        var dataset = await LanceDataset.CreateAsync(_temp.Combine("t.lance"), batches[0].Schema, batches, options: new DatasetWriteOptions { MaxRowsPerFile = 2000 });
        var random = new Random(42);

        for (var q = 0; q < 5; q++)
        {
            var query = Enumerable.Range(0, Dim).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray();
            var expected = Reference(batches, query, metric).Take(10).ToList();

            var hits = await dataset.SearchAsync(new VectorSearchRequest("vector", query, 10) { Metric = metric });

            var ids = (Int64Array)hits.Column("id");
            var distances = (FloatArray)hits.Column("_distance");
            Assert.Equal(expected.Select(e => e.Id), Enumerable.Range(0, hits.Length).Select(i => ids.GetValue(i)!.Value));
            for (var i = 0; i < hits.Length; i++)
            {
                Assert.Equal(expected[i].Distance, distances.GetValue(i)!.Value, 1e-4);
            }
        }
    }

    [Fact]
    public async Task Rows_with_a_null_vector_are_never_returned()
    {
        var batch = Batches.Docs(0, 100, 4);
        var dataset = await LanceDataset.CreateAsync(_temp.Combine("t.lance"), batch.Schema, [batch]);

        var hits = await dataset.SearchAsync(new VectorSearchRequest("vector", new float[4], 100));

        Assert.Equal(100 - 10, hits.Length); // ids 0, 11, ..., 99 have null vectors
        var ids = (Int64Array)hits.Column("id");
        Assert.All(Enumerable.Range(0, hits.Length), i => Assert.NotEqual(0, ids.GetValue(i)!.Value % 11));
    }

    [Fact]
    public async Task Results_hold_the_requested_columns_then_distance_then_row_id()
    {
        var batch = Batches.Docs(0, 50, 4);
        var dataset = await LanceDataset.CreateAsync(_temp.Combine("t.lance"), batch.Schema, [batch]);

        var hits = await dataset.SearchAsync(new VectorSearchRequest("vector", new float[] { 1, 0, 0, 0 }, 3) { Columns = ["text", "id"], WithRowId = true });

        Assert.Equal(["text", "id", "_distance", "_rowid"], hits.Schema.FieldsList.Select(f => f.Name));
        Assert.Equal(3, hits.Length);
        var rowIds = (UInt64Array)hits.Column("_rowid");
        var ids = (Int64Array)hits.Column("id");
        Assert.Equal((ulong)ids.GetValue(0)!.Value, rowIds.GetValue(0)); // one fragment: row id = offset
    }

    [Fact]
    public async Task A_query_of_the_wrong_length_names_the_column_and_both_dimensions()
    {
        var batch = Batches.Docs(0, 10, 4);
        var dataset = await LanceDataset.CreateAsync(_temp.Combine("t.lance"), batch.Schema, [batch]);

        var ex = await Assert.ThrowsAsync<LanceSchemaException>(() => dataset.SearchAsync(new VectorSearchRequest("vector", new float[3], 3)));

        Assert.Contains("'vector'", ex.Message);
        Assert.Contains("3", ex.Message);
        Assert.Contains("4", ex.Message);
    }

    [Fact]
    public async Task Searching_a_column_that_is_not_a_vector_is_a_schema_error()
    {
        var batch = Batches.Docs(0, 10, 4);
        var dataset = await LanceDataset.CreateAsync(_temp.Combine("t.lance"), batch.Schema, [batch]);

        var ex = await Assert.ThrowsAsync<LanceSchemaException>(() => dataset.SearchAsync(new VectorSearchRequest("text", new float[4], 3)));
        Assert.Contains("'text'", ex.Message);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("id >= 1000")]
    public async Task Search_over_vectors_whose_pages_lie_apart_returns_what_a_naive_scan_returns(string? filter)
    {
        // 512 bytes a vector, 128 a page: a column of 24 pages, each apart from the next as LanceDB
        // lays out a file written in one call, and big enough (1.5 MB) to be mapped.
        const int Dim = 128;
        var batch = Batches.Docs(0, 3000, Dim, seed: 5, withNulls: false);
        var path = _temp.Combine("t.lance");
        await LanceDataset.CreateAsync(path, batch.Schema, [batch]);
        ApartPages.Rewrite(Directory.GetFiles(Path.Combine(path, "data"), "*.lance").Single(), 64 << 10);
        var dataset = await LanceDataset.OpenAsync(path);
        await dataset.DeleteAsync("id % 10 = 3");
        var vectors = (FixedSizeListArray)batch.Column("vector");
        var random = new Random(3);

        for (var q = 0; q < 3; q++)
        {
            var query = Enumerable.Range(0, Dim).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray();
            var expected = Reference([batch], query, DistanceMetric.L2)
                .Where(e => e.Id % 10 != 3 && (filter is null || e.Id >= 1000)).Take(10).ToList();

            var hits = await dataset.SearchAsync(new VectorSearchRequest("vector", query, 10) { Filter = filter, Columns = ["id", "vector"] });

            var ids = (Int64Array)hits.Column("id");
            var distances = (FloatArray)hits.Column("_distance");
            Assert.Equal(expected.Select(e => e.Id), Enumerable.Range(0, hits.Length).Select(i => ids.GetValue(i)!.Value));
            for (var i = 0; i < hits.Length; i++)
            {
                Assert.Equal(expected[i].Distance, distances.GetValue(i)!.Value, 1e-3);
                Assert.Equal(
                    Lance.Engine.Arrow.ArrowTake.FlatValues(vectors).Slice((int)expected[i].Id * Dim, Dim).ToArray(),
                    Lance.Engine.Arrow.ArrowTake.FlatValues((FixedSizeListArray)hits.Column("vector")).Slice(i * Dim, Dim).ToArray());
            }
        }
    }

    private static IEnumerable<(long Id, double Distance)> Reference(IEnumerable<RecordBatch> batches, float[] query, DistanceMetric metric)
    {
        var all = new List<(long, double)>();
        foreach (var batch in batches)
        {
            var ids = (Int64Array)batch.Column("id");
            var vectors = (FixedSizeListArray)batch.Column("vector");
            var dim = ((FixedSizeListType)vectors.Data.DataType).ListSize;
            var values = ((FloatArray)vectors.Values).Values;
            for (var r = 0; r < batch.Length; r++)
            {
                if (vectors.IsNull(r)) continue;
                double dot = 0, qq = 0, vv = 0, l2 = 0;
                for (var d = 0; d < dim; d++)
                {
                    double a = query[d], b = values[(r * dim) + d];
                    dot += a * b; qq += a * a; vv += b * b; l2 += (a - b) * (a - b);
                }

                var distance = metric switch
                {
                    DistanceMetric.L2 => l2,
                    DistanceMetric.Cosine => 1 - (dot / (Math.Sqrt(qq) * Math.Sqrt(vv))),
                    _ => 1 - dot,
                };
                all.Add((ids.GetValue(r)!.Value, distance));
            }
        }

        return all.OrderBy(x => x.Item2).ThenBy(x => x.Item1);
    }
}
