using Apache.Arrow;
using Lance.Engine.Tests.Support;
using static Lance.Engine.Tests.Support.ScannedIds;

namespace Lance.Engine.Tests.Index;

/// <summary>Listing, statistics, dropping, optimising and replacing indexes, as LanceDB's table offers them.</summary>
public sealed class IndexManagementTests : IDisposable
{
    private const int Dim = 16;
    private static readonly IvfPqOptions Small = new() { NumPartitions = 4, NumSubVectors = 4 };
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    private async Task<LanceDataset> IndexedAsync()
    {
        var dataset = await LanceDataset.CreateAsync(_temp.Combine("t.lance"), IndexData.Schema(Dim), [IndexData.Batch(IndexData.Vectors(600, Dim, seed: 3), 0)]);
        await dataset.CreateScalarIndexAsync("id", ScalarIndexKind.BTree);
        await dataset.CreateScalarIndexAsync("label", ScalarIndexKind.Bitmap);
        await dataset.CreateIndexAsync("vector", Small with { Metric = DistanceMetric.Cosine });
        return dataset;
    }

    [Fact]
    public async Task Every_index_is_listed_with_its_kind_and_column_as_LanceDB_lists_it()
    {
        await using var dataset = await IndexedAsync();

        var listed = await dataset.ListIndicesAsync();

        Assert.Equal(
            [("id_idx", "BTree", "id"), ("label_idx", "Bitmap", "label"), ("vector_idx", "IvfPq", "vector")],
            listed.Select(i => (i.Name, i.IndexType, Assert.Single(i.Columns))));
    }

    [Fact]
    public async Task Stats_count_live_rows_covered_and_not_covered_and_name_the_kind_and_distance()
    {
        await using var dataset = await IndexedAsync();
        await dataset.AppendAsync([IndexData.Batch(IndexData.Vectors(100, Dim, seed: 4), 600)]);
        await dataset.DeleteAsync("id % 10 = 1");

        var btree = await dataset.IndexStatsAsync("id_idx");
        var vector = await dataset.IndexStatsAsync("vector_idx");

        Assert.Equal(new IndexStatistics(540, 90, "BTREE", null, 1), btree);
        Assert.Equal(new IndexStatistics(540, 90, "IVF_PQ", "cosine", 1), vector);
        Assert.Null(await dataset.IndexStatsAsync("nope"));
    }

    [Fact]
    public async Task Optimize_folds_appended_rows_into_every_index_and_drops_deleted_ones()
    {
        await using var dataset = await IndexedAsync();
        await dataset.AppendAsync([IndexData.Batch(IndexData.Vectors(100, Dim, seed: 4), 600)]);
        await dataset.DeleteAsync("id % 10 = 1");
        var before = (await dataset.ListIndicesAsync()).ToDictionary(i => i.Name, i => i.Uuid);

        await dataset.OptimizeIndexAsync();

        foreach (var name in new[] { "id_idx", "label_idx", "vector_idx" })
        {
            Assert.Equal((630L, 0L, 1), await dataset.IndexStatsAsync(name) is { } s ? (s.NumIndexedRows, s.NumUnindexedRows, s.NumIndices) : default);
            Assert.NotEqual(before[name], (await dataset.ListIndicesAsync()).Single(i => i.Name == name).Uuid);
        }

        var btree = Assert.Single(dataset.ListScalarIndices(), i => i.Name == "id_idx");
        Assert.Equal(630, btree.IndexedRows);
        Assert.Equal(0, btree.UnindexedRows);
        foreach (var filter in new[] { "id >= 590 AND id < 620", "id = 651", "label = 'row 655'", "label = 'row 11'" })
        {
            Assert.Equal(await IdsAsync(dataset, filter, useIndex: false), await IdsAsync(dataset, filter, useIndex: true));
        }

        Assert.True(dataset.PlanFilter("id = 651").Root.UsesIndex);
    }

    [Fact]
    public async Task Optimize_of_one_named_index_leaves_the_others()
    {
        await using var dataset = await IndexedAsync();
        await dataset.AppendAsync([IndexData.Batch(IndexData.Vectors(100, Dim, seed: 4), 600)]);

        await dataset.OptimizeIndexAsync("id_idx");

        Assert.Equal(0, (await dataset.IndexStatsAsync("id_idx"))!.NumUnindexedRows);
        Assert.Equal(100, (await dataset.IndexStatsAsync("label_idx"))!.NumUnindexedRows);
        Assert.Equal(100, (await dataset.IndexStatsAsync("vector_idx"))!.NumUnindexedRows);
        var error = await Assert.ThrowsAsync<LanceIndexException>(() => dataset.OptimizeIndexAsync("nope"));
        Assert.Contains("'nope'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_dropped_index_is_gone_from_the_new_version_and_filters_still_answer()
    {
        await using var dataset = await IndexedAsync();
        var version = dataset.Version;

        await dataset.DropIndexAsync("id_idx");
        await dataset.DropIndexAsync("vector_idx");

        Assert.Equal(version + 2, dataset.Version);
        Assert.Equal(["label_idx"], (await dataset.ListIndicesAsync()).Select(i => i.Name));
        Assert.False(dataset.PlanFilter("id = 5").Root.UsesIndex);
        Assert.Equal(new long[] { 5 }, await IdsAsync(dataset, "id = 5", useIndex: true));
        await using var reopened = await LanceDataset.OpenAsync(dataset.Path);
        Assert.Equal(["label_idx"], (await reopened.ListIndicesAsync()).Select(i => i.Name));
        Assert.Empty(reopened.ListIndices());
    }

    [Fact]
    public async Task Dropping_a_missing_index_names_the_table_and_the_index_and_commits_nothing()
    {
        await using var dataset = await IndexedAsync();
        var version = dataset.Version;

        var error = await Assert.ThrowsAsync<LanceIndexException>(() => dataset.DropIndexAsync("nope"));

        Assert.Contains("'nope'", error.Message, StringComparison.Ordinal);
        Assert.Contains(dataset.Path, error.Message, StringComparison.Ordinal);
        Assert.Equal(version, dataset.Version);
    }

    [Fact]
    public async Task Replace_false_on_a_taken_name_is_a_typed_error_and_replace_true_rebuilds()
    {
        await using var dataset = await IndexedAsync();
        var version = dataset.Version;
        var old = (await dataset.ListIndicesAsync()).Single(i => i.Name == "id_idx").Uuid;

        var scalar = await Assert.ThrowsAsync<LanceIndexExistsException>(() => dataset.CreateScalarIndexAsync("id", ScalarIndexKind.BTree, replace: false));
        var vector = await Assert.ThrowsAsync<LanceIndexExistsException>(() => dataset.CreateIndexAsync("vector", Small with { Replace = false }));

        Assert.Equal((dataset.Path, "id", "id_idx"), (scalar.Table, scalar.Column, scalar.IndexName));
        Assert.Equal((dataset.Path, "vector", "vector_idx"), (vector.Table, vector.Column, vector.IndexName));
        Assert.Contains("'id_idx'", scalar.Message, StringComparison.Ordinal);
        Assert.Equal(version, dataset.Version);

        await dataset.CreateScalarIndexAsync("id", ScalarIndexKind.Bitmap, replace: true);
        var rebuilt = Assert.Single(await dataset.ListIndicesAsync(), i => i.Name == "id_idx");
        Assert.Equal("Bitmap", rebuilt.IndexType);
        Assert.NotEqual(old, rebuilt.Uuid);
        Assert.Equal(3, (await dataset.ListIndicesAsync()).Count);
    }
}
