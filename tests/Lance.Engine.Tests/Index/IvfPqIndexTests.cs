using Apache.Arrow;
using Lance.Engine.Tests.Support;

namespace Lance.Engine.Tests.Index;

public sealed class IvfPqIndexTests : IDisposable
{
    private const int Dim = 32;
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    private static readonly IvfPqOptions Small = new() { NumPartitions = 16, NumSubVectors = 8 };

    private async Task<(LanceDataset Dataset, float[][] Vectors)> CreateAsync(int rows = 4000, int seed = 3)
    {
        var vectors = IndexData.Vectors(rows, Dim, seed);
        var batch = IndexData.Batch(vectors, 0);
        var dataset = await LanceDataset.CreateAsync(_temp.Combine("t.lance"), batch.Schema, [batch], options: new DatasetWriteOptions { MaxRowsPerFile = 1500 });
        return (dataset, vectors);
    }

    private static double Recall(LanceDataset dataset, float[][] vectors, DistanceMetric metric, int nprobes, int? refine, int queries = 20)
    {
        var queryVectors = IndexData.Vectors(queries, Dim, seed: 99);
        double found = 0;
        foreach (var query in queryVectors)
        {
            var expected = IndexData.Exact(vectors, query, 10, metric);
            var hits = dataset.SearchAsync(new VectorSearchRequest("vector", query, 10) { Metric = metric, Nprobes = nprobes, RefineFactor = refine }).GetAwaiter().GetResult();
            found += IndexData.Ids(hits).Intersect(expected).Count();
        }

        return found / (queries * 10.0);
    }

    [Theory]
    [InlineData(DistanceMetric.L2)]
    [InlineData(DistanceMetric.Cosine)]
    [InlineData(DistanceMetric.Dot)]
    public async Task Indexed_search_with_refine_finds_nearly_all_exact_neighbours(DistanceMetric metric)
    {
        var (dataset, vectors) = await CreateAsync();
        await dataset.CreateIndexAsync("vector", Small with { Metric = metric });

        Assert.True(Recall(dataset, vectors, metric, nprobes: 8, refine: 10) >= 0.95);
    }

    [Fact]
    public async Task Indexed_search_without_refine_still_reaches_useful_recall()
    {
        var (dataset, vectors) = await CreateAsync();
        await dataset.CreateIndexAsync("vector", Small);

        Assert.True(Recall(dataset, vectors, DistanceMetric.L2, nprobes: 8, refine: null) >= 0.6);
    }

    [Fact]
    public async Task Probing_every_partition_with_refine_returns_the_exact_result()
    {
        var (dataset, vectors) = await CreateAsync();
        await dataset.CreateIndexAsync("vector", Small);

        Assert.Equal(1.0, Recall(dataset, vectors, DistanceMetric.L2, nprobes: 16, refine: 200, queries: 5));
    }

    [Fact]
    public async Task Bypassing_the_index_gives_the_exact_result()
    {
        var (dataset, vectors) = await CreateAsync();
        await dataset.CreateIndexAsync("vector", Small);
        var query = IndexData.Vectors(1, Dim, seed: 5)[0];

        var hits = await dataset.SearchAsync(new VectorSearchRequest("vector", query, 10) { BypassIndex = true, Nprobes = 1 });

        Assert.Equal(IndexData.Exact(vectors, query, 10, DistanceMetric.L2), IndexData.Ids(hits));
    }

    [Fact]
    public async Task A_search_with_another_metric_than_the_index_is_exact()
    {
        var (dataset, vectors) = await CreateAsync();
        await dataset.CreateIndexAsync("vector", Small);
        var query = IndexData.Vectors(1, Dim, seed: 5)[0];

        var hits = await dataset.SearchAsync(new VectorSearchRequest("vector", query, 10) { Metric = DistanceMetric.Cosine, Nprobes = 1 });

        Assert.Equal(IndexData.Exact(vectors, query, 10, DistanceMetric.Cosine), IndexData.Ids(hits));
    }

    [Fact]
    public async Task The_index_is_recorded_in_the_manifest_and_used_after_reopening()
    {
        var (dataset, _) = await CreateAsync();
        var info = await dataset.CreateIndexAsync("vector", Small);

        var reopened = await LanceDataset.OpenAsync(dataset.Path);
        var listed = Assert.Single(reopened.ListIndices());

        Assert.Equal(("vector_idx", "vector", info.Uuid, 16, 8, 4000L, 0L), (listed.Name, listed.Column, listed.Uuid, listed.NumPartitions, listed.NumSubVectors, listed.IndexedRows, listed.UnindexedRows));
        Assert.Equal(new ulong[] { 0, 1, 2 }, listed.IndexedFragments);
        Assert.True(File.Exists(Path.Combine(dataset.Path, LanceDataset.IndicesFolder, info.Uuid.ToString("D"), "index.idx")));
        Assert.True(File.Exists(Path.Combine(dataset.Path, LanceDataset.IndicesFolder, info.Uuid.ToString("D"), "auxiliary.idx")));
        var query = IndexData.Vectors(1, Dim, seed: 5)[0];
        var request = new VectorSearchRequest("vector", query, 10) { Nprobes = 2 };
        Assert.Equal(IndexData.Ids(await dataset.SearchAsync(request)), IndexData.Ids(await reopened.SearchAsync(request)));
    }

    [Fact]
    public async Task Rows_appended_after_the_build_are_found_and_optimize_folds_them_in()
    {
        var (dataset, _) = await CreateAsync();
        await dataset.CreateIndexAsync("vector", Small);
        var extra = IndexData.Vectors(300, Dim, seed: 77);
        await dataset.AppendAsync([IndexData.Batch(extra, 10_000)]);
        var request = new VectorSearchRequest("vector", extra[123], 1) { Nprobes = 4 };

        Assert.Equal(300, Assert.Single(dataset.ListIndices()).UnindexedRows);
        Assert.Equal(new[] { 10_123L }, IndexData.Ids(await dataset.SearchAsync(request)));

        await dataset.OptimizeIndexAsync();

        var info = Assert.Single(dataset.ListIndices());
        Assert.Equal((0L, 4300L), (info.UnindexedRows, info.IndexedRows));
        Assert.Equal(new[] { 10_123L }, IndexData.Ids(await dataset.SearchAsync(request with { RefineFactor = 5 })));
    }

    [Fact]
    public async Task Deleted_rows_are_never_returned_by_an_indexed_search()
    {
        var (dataset, vectors) = await CreateAsync();
        await dataset.CreateIndexAsync("vector", Small);
        var query = vectors[42];
        var before = IndexData.Ids(await dataset.SearchAsync(new VectorSearchRequest("vector", query, 10) { Nprobes = 16, RefineFactor = 50 }));
        Assert.Equal(42, before[0]);

        var deleted = before.Where(id => id < 1500).Take(3).ToArray(); // fragment 0 holds ids 0..1499
        Assert.Equal(3, deleted.Length);

        await IndexData.DeleteFromFirstFragmentAsync(dataset, deleted.Select(id => (int)id).ToArray());

        var after = IndexData.Ids(await dataset.SearchAsync(new VectorSearchRequest("vector", query, 10) { Nprobes = 16, RefineFactor = 50 }));
        Assert.Empty(after.Intersect(deleted));
        Assert.Equal(before.Except(deleted), after.Take(7));
    }

    [Fact]
    public async Task A_prefilter_row_mask_keeps_indexed_and_unindexed_results_inside_the_mask()
    {
        var (dataset, vectors) = await CreateAsync();
        await dataset.CreateIndexAsync("vector", Small);
        await dataset.AppendAsync([IndexData.Batch(IndexData.Vectors(500, Dim, seed: 31), 4000)]);
        // Even rows of fragments 0 and 3 (the appended one), every row of fragments 1 and 2.
        var even0 = Enumerable.Range(0, 1500).Select(r => r % 2 == 0).ToArray();
        var even3 = Enumerable.Range(0, 500).Select(r => r % 2 == 0).ToArray();
        var allowed = new Dictionary<ulong, bool[]> { [0] = even0, [3] = even3 };

        var hits = dataset.TrySearchIndexed(new VectorSearchRequest("vector", vectors[10], 50) { Nprobes = 16, RefineFactor = 4 }, allowed)!;

        var ids = IndexData.Ids(hits);
        Assert.Equal(50, ids.Length);
        Assert.All(ids.Where(id => id < 1500 || id >= 4000), id => Assert.Equal(0, id % 2));
        Assert.DoesNotContain(11L, ids);
        Assert.Equal(10L, ids[0]);
    }

    [Fact]
    public async Task Indexed_prefilter_returns_k_rows_that_pass_and_postfilter_filters_the_nearest()
    {
        var (dataset, vectors) = await CreateAsync();
        await dataset.CreateIndexAsync("vector", Small);
        var request = new VectorSearchRequest("vector", vectors[10], 10) { Nprobes = 16, RefineFactor = 10, Filter = "id >= 2000" };

        var pre = IndexData.Ids(await dataset.SearchAsync(request));
        var post = IndexData.Ids(await dataset.SearchAsync(request with { Prefilter = false }));

        Assert.Equal(10, pre.Length);
        Assert.All(pre, id => Assert.True(id >= 2000));
        Assert.Equal(IndexData.Exact(vectors, vectors[10], 10, DistanceMetric.L2).Where(id => id >= 2000), post);
    }

    [Fact]
    public async Task Indexed_offset_and_distance_range_behave_as_in_exact_search()
    {
        var (dataset, vectors) = await CreateAsync();
        await dataset.CreateIndexAsync("vector", Small);
        var request = new VectorSearchRequest("vector", vectors[10], 15) { Nprobes = 16, RefineFactor = 20, WithRowId = true };
        var all = await dataset.SearchAsync(request);
        var distances = (FloatArray)all.Column("_distance");

        var paged = IndexData.Ids(await dataset.SearchAsync(request with { K = 10, Offset = 5 }));
        var ranged = await dataset.SearchAsync(request with { DistanceLower = distances.GetValue(3), DistanceUpper = distances.GetValue(8) });

        Assert.Equal(IndexData.Ids(all).Skip(5), paged);
        Assert.Equal(IndexData.Ids(all).Skip(3).Take(5), IndexData.Ids(ranged));
    }

    [Fact]
    public async Task Deletes_and_compaction_keep_indexed_search_correct_and_the_compacted_rows_stay_indexed()
    {
        var (dataset, vectors) = await CreateAsync();
        await dataset.CreateIndexAsync("vector", Small);
        var request = new VectorSearchRequest("vector", vectors[42], 1) { Nprobes = 16, RefineFactor = 10 };

        await dataset.DeleteAsync("id = 42");
        var afterDelete = IndexData.Ids(await dataset.SearchAsync(request));
        await dataset.CompactAsync(new CompactionOptions { TargetRowsPerFragment = 10_000 });
        var compacted = Assert.Single(dataset.ListIndices());
        var afterCompaction = IndexData.Ids(await dataset.SearchAsync(request with { Query = vectors[43] }));
        await dataset.OptimizeIndexAsync();

        Assert.NotEqual(42L, afterDelete[0]);
        Assert.Equal(0L, compacted.UnindexedRows);
        Assert.Equal(vectors.Length - 1, compacted.IndexedRows);
        Assert.Equal(43L, afterCompaction[0]);
        Assert.Equal(0L, Assert.Single(dataset.ListIndices()).UnindexedRows);
        Assert.Equal(43L, IndexData.Ids(await dataset.SearchAsync(request with { Query = vectors[43] }))[0]);
    }

    [Fact]
    public async Task An_index_on_a_column_that_is_not_a_vector_is_refused()
    {
        var (dataset, _) = await CreateAsync(rows: 300);

        var error = await Assert.ThrowsAsync<LanceIndexException>(() => dataset.CreateIndexAsync("label", Small));

        Assert.Contains("'label'", error.Message, StringComparison.Ordinal);
        Assert.Contains("not a vector column", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Sub_vectors_that_do_not_divide_the_dimension_are_refused_and_nothing_is_committed()
    {
        var (dataset, _) = await CreateAsync(rows: 300);

        var error = await Assert.ThrowsAsync<LanceIndexException>(() => dataset.CreateIndexAsync("vector", Small with { NumSubVectors = 5 }));

        Assert.Contains("5 sub-vectors do not divide its dimension 32", error.Message, StringComparison.Ordinal);
        Assert.Equal(1UL, dataset.Version);
    }

    [Fact]
    public async Task More_partitions_than_rows_are_refused()
    {
        var (dataset, _) = await CreateAsync(rows: 300);

        var error = await Assert.ThrowsAsync<LanceIndexException>(() => dataset.CreateIndexAsync("vector", Small with { NumPartitions = 301 }));

        Assert.Contains("301 partitions", error.Message, StringComparison.Ordinal);
        Assert.Contains("300 rows", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_cancelled_build_leaves_the_table_as_it_was()
    {
        var (dataset, vectors) = await CreateAsync();
        using var cancel = new CancellationTokenSource();
        var progress = new SyncProgress(p => { if (p.Stage == IndexBuildStage.TrainingPartitions) cancel.Cancel(); });

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => dataset.CreateIndexAsync("vector", Small with { Progress = progress }, cancel.Token));

        var reopened = await LanceDataset.OpenAsync(dataset.Path);
        Assert.Equal((1UL, 1UL), (dataset.Version, reopened.Version));
        Assert.Empty(reopened.ListIndices());
        var indices = Path.Combine(dataset.Path, LanceDataset.IndicesFolder);
        Assert.True(!Directory.Exists(indices) || !Directory.EnumerateFileSystemEntries(indices).Any());
        Assert.Equal(vectors.Length, reopened.CountRows());
    }

    [Fact]
    public async Task Progress_reports_every_stage_in_order()
    {
        var (dataset, _) = await CreateAsync(rows: 1000);
        var stages = new List<IndexBuildStage>();
        var progress = new SyncProgress(p => { lock (stages) { if (stages.Count == 0 || stages[^1] != p.Stage) stages.Add(p.Stage); } });

        await dataset.CreateIndexAsync("vector", Small with { Progress = progress });

        Assert.Equal(Enum.GetValues<IndexBuildStage>(), stages);
    }

    [Fact]
    public async Task Defaults_follow_lancedb_square_root_partitions_and_dimension_over_16_sub_vectors()
    {
        var (dataset, _) = await CreateAsync(rows: 2500);

        var info = await dataset.CreateIndexAsync("vector");

        Assert.Equal((50, 2), (info.NumPartitions, info.NumSubVectors));
    }

    [Fact]
    public async Task Batched_exact_search_matches_one_search_per_query()
    {
        var (dataset, _) = await CreateAsync(rows: 3000);
        var queries = IndexData.Vectors(7, Dim, seed: 11).Select(q => (ReadOnlyMemory<float>)q).ToList();
        foreach (var metric in new[] { DistanceMetric.L2, DistanceMetric.Cosine, DistanceMetric.Dot })
        {
            var request = new VectorSearchRequest("vector", queries[0], 10) { Metric = metric };

            var batched = await dataset.SearchBatchAsync(request, queries);

            for (var q = 0; q < queries.Count; q++)
            {
                var single = await dataset.SearchAsync(request with { Query = queries[q] });
                Assert.Equal(IndexData.Ids(single), IndexData.Ids(batched[q]));
                var a = (FloatArray)single.Column("_distance");
                var b = (FloatArray)batched[q].Column("_distance");
                for (var i = 0; i < single.Length; i++)
                {
                    Assert.Equal(a.GetValue(i)!.Value, b.GetValue(i)!.Value, 1e-3);
                }
            }
        }
    }

    [Fact]
    public async Task Batched_indexed_search_matches_one_search_per_query()
    {
        var (dataset, _) = await CreateAsync();
        await dataset.CreateIndexAsync("vector", Small);
        var queries = IndexData.Vectors(6, Dim, seed: 12).Select(q => (ReadOnlyMemory<float>)q).ToList();
        var request = new VectorSearchRequest("vector", queries[0], 10) { Nprobes = 3 };

        var batched = await dataset.SearchBatchAsync(request, queries);

        for (var q = 0; q < queries.Count; q++)
        {
            Assert.Equal(IndexData.Ids(await dataset.SearchAsync(request with { Query = queries[q] })), IndexData.Ids(batched[q]));
        }
    }

    private sealed class SyncProgress(Action<IndexBuildProgress> report) : IProgress<IndexBuildProgress>
    {
        public void Report(IndexBuildProgress value) => report(value);
    }
}
