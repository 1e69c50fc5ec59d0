using Apache.Arrow;
using Lance.Engine.Tests.Support;

namespace Lance.Engine.Tests.Filtering;

public sealed class FilteredDatasetTests : IDisposable
{
    private const int Dim = 8;
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    private async Task<LanceDataset> CreateAsync(int rows = 2500)
    {
        var batches = new[] { Batches.Docs(0, rows / 2, Dim, seed: 3), Batches.Docs(rows / 2, rows - (rows / 2), Dim, seed: 5) };
        return await LanceDataset.CreateAsync(_temp.Combine("t.lance"), batches[0].Schema, batches, options: new DatasetWriteOptions { MaxRowsPerFile = 700 });
    }

    private static async Task<List<long>> ScanIds(LanceDataset dataset, ScanRequest request)
    {
        var ids = new List<long>();
        await foreach (var batch in dataset.ScanAsync(request))
        {
            var column = (Int64Array)batch.Column("id");
            ids.AddRange(Enumerable.Range(0, batch.Length).Select(i => column.GetValue(i)!.Value));
        }

        return ids;
    }

    [Fact]
    public async Task A_filtered_scan_returns_the_passing_rows_of_every_fragment_in_order()
    {
        var dataset = await CreateAsync();

        var ids = await ScanIds(dataset, new ScanRequest { Filter = "id % 100 = 7 AND count IS NOT NULL" });

        Assert.Equal(Enumerable.Range(0, 2500).Where(i => i % 100 == 7 && i % 3 != 0).Select(i => (long)i), ids);
    }

    [Fact]
    public async Task Offset_and_limit_apply_across_fragments_after_the_filter()
    {
        var dataset = await CreateAsync();

        var ids = await ScanIds(dataset, new ScanRequest { Filter = "id >= 600", Offset = 50, Limit = 200, Columns = ["id"] });

        Assert.Equal(Enumerable.Range(650, 200).Select(i => (long)i), ids);
    }

    [Fact]
    public async Task A_filtered_scan_projects_only_the_requested_columns_and_can_add_row_ids()
    {
        var dataset = await CreateAsync();

        var batches = new List<RecordBatch>();
        await foreach (var b in dataset.ScanAsync(new ScanRequest { Filter = "id = 701", Columns = ["text"], WithRowId = true }))
        {
            batches.Add(b);
        }

        var batch = Assert.Single(batches);
        Assert.Equal(["text", "_rowid"], batch.Schema.FieldsList.Select(f => f.Name));
        Assert.Equal("text 701 ✓ " + new string('x', 701 % 13), ((StringArray)batch.Column(0)).GetString(0));
        Assert.Equal((1UL << 32) | 1UL, ((UInt64Array)batch.Column(1)).GetValue(0)); // fragment 1 starts at row 700
    }

    [Fact]
    public async Task Counting_with_a_filter_counts_passing_rows()
    {
        var dataset = await CreateAsync();

        Assert.Equal(2500 - (2500 / 7) - 1, await dataset.CountRowsAsync("text IS NOT NULL"));
        Assert.Equal(2500, await dataset.CountRowsAsync(null));
    }

    [Fact]
    public async Task Prefilter_returns_the_k_nearest_among_passing_rows()
    {
        var dataset = await CreateAsync();
        var query = Enumerable.Repeat(0.1f, Dim).ToArray();
        var all = await dataset.SearchAsync(new VectorSearchRequest("vector", query, 2500));
        var allIds = (Int64Array)all.Column("id");
        var expected = Enumerable.Range(0, all.Length).Select(i => allIds.GetValue(i)!.Value).Where(id => id >= 2000).Take(10);

        var hits = await dataset.SearchAsync(new VectorSearchRequest("vector", query, 10) { Filter = "id >= 2000" });

        var ids = (Int64Array)hits.Column("id");
        Assert.Equal(expected, Enumerable.Range(0, hits.Length).Select(i => ids.GetValue(i)!.Value));
    }

    [Fact]
    public async Task Postfilter_filters_the_k_nearest_so_fewer_may_come_back()
    {
        var dataset = await CreateAsync();
        var query = Enumerable.Repeat(0.1f, Dim).ToArray();
        var top = await dataset.SearchAsync(new VectorSearchRequest("vector", query, 10));
        var topIds = (Int64Array)top.Column("id");
        var expected = Enumerable.Range(0, top.Length).Select(i => topIds.GetValue(i)!.Value).Where(id => id % 2 == 0).ToList();

        var hits = await dataset.SearchAsync(new VectorSearchRequest("vector", query, 10) { Filter = "id % 2 = 0", Prefilter = false });

        var ids = (Int64Array)hits.Column("id");
        Assert.Equal(expected, Enumerable.Range(0, hits.Length).Select(i => ids.GetValue(i)!.Value));
        Assert.True(hits.Length < 10);
    }

    [Fact]
    public async Task Search_offset_skips_the_nearest_rows()
    {
        var dataset = await CreateAsync();
        var query = Enumerable.Repeat(-0.2f, Dim).ToArray();
        var top = await dataset.SearchAsync(new VectorSearchRequest("vector", query, 15) { Columns = ["id"] });

        var page = await dataset.SearchAsync(new VectorSearchRequest("vector", query, 10) { Offset = 5, Columns = ["id"] });

        Assert.Equal(Ids(top).Skip(5), Ids(page));
    }

    [Fact]
    public async Task Distance_range_keeps_lower_inclusive_upper_exclusive()
    {
        var dataset = await CreateAsync();
        var query = Enumerable.Repeat(0f, Dim).ToArray();
        var all = await dataset.SearchAsync(new VectorSearchRequest("vector", query, 2500) { Columns = ["id"] });
        var distances = (FloatArray)all.Column("_distance");
        var lower = distances.GetValue(100)!.Value;
        var upper = distances.GetValue(120)!.Value;

        var hits = await dataset.SearchAsync(new VectorSearchRequest("vector", query, 100) { DistanceLower = lower, DistanceUpper = upper, Columns = ["id"] });

        var got = (FloatArray)hits.Column("_distance");
        Assert.Equal(20, hits.Length);
        Assert.All(Enumerable.Range(0, hits.Length), i => Assert.InRange(got.GetValue(i)!.Value, lower, upper));
        Assert.Equal(lower, got.GetValue(0));
    }

    [Fact]
    public async Task A_bad_filter_fails_the_search_with_the_dataset_path()
    {
        var dataset = await CreateAsync(100);

        var ex = await Assert.ThrowsAsync<LanceFilterException>(() => dataset.SearchAsync(new VectorSearchRequest("vector", new float[Dim], 5) { Filter = "idd > 3" }));

        Assert.Contains(dataset.Path, ex.Message, StringComparison.Ordinal);
    }

    private static IEnumerable<long> Ids(RecordBatch batch)
    {
        var ids = (Int64Array)batch.Column("id");
        return Enumerable.Range(0, batch.Length).Select(i => ids.GetValue(i)!.Value);
    }
}
