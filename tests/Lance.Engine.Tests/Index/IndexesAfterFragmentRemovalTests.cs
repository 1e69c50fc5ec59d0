using Apache.Arrow;
using Lance.Engine.Format;
using Lance.Engine.Tests.Support;
using static Lance.Engine.Tests.Support.ScannedIds;

namespace Lance.Engine.Tests.Index;

/// <summary>
/// A delete or update that empties a fragment removes it from the manifest and keeps every index, as Lance does:
/// the index's fragment bitmap is left as it was (it still names the removed fragment), and searches and filters
/// through the index never return the removed rows. A vector index left covering no fragment goes; a scalar one stays.
/// </summary>
public sealed class IndexesAfterFragmentRemovalTests : IDisposable
{
    private const int Dim = 16;
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    private string Path => _temp.Combine("t.lance");

    /// <summary>Three fragments of 300 rows (ids 0–899) with a BTREE on id, a BITMAP on label and an IVF_FLAT on vector.</summary>
    private async Task<(LanceDataset Dataset, float[][] Vectors)> IndexedAsync()
    {
        var vectors = IndexData.Vectors(900, Dim, seed: 5);
        var batch = IndexData.Batch(vectors, 0);
        var dataset = await LanceDataset.CreateAsync(Path, batch.Schema, [batch], options: new DatasetWriteOptions { MaxRowsPerFile = 300 });
        await dataset.CreateScalarIndexAsync("id", ScalarIndexKind.BTree);
        await dataset.CreateScalarIndexAsync("label", ScalarIndexKind.Bitmap);
        await dataset.CreateIndexAsync("vector", IndexConfig.IvfFlat(4));
        return (dataset, vectors);
    }

    private Manifest LatestManifest()
        => Directory.GetFiles(System.IO.Path.Combine(Path, "_versions"), "*.manifest").Select(f => ManifestCodec.Decode(File.ReadAllBytes(f))).MaxBy(m => m.Version)!;

    [Fact]
    public async Task Every_index_outlives_a_delete_of_a_whole_fragment_with_its_fragment_bitmap_unchanged()
    {
        var (dataset, vectors) = await IndexedAsync();
        await using var _ = dataset;

        await dataset.DeleteAsync("id >= 300 AND id < 600");

        var manifest = LatestManifest();
        Assert.Equal([0UL, 2UL], manifest.Fragments.Select(f => f.Id));
        Assert.Equal(["id_idx", "label_idx", "vector_idx"], manifest.Indices.Select(i => i.Name).Order());
        Assert.All(manifest.Indices, i => Assert.Equal([0UL, 1UL, 2UL], i.Fragments));
        foreach (var name in new[] { "id_idx", "label_idx", "vector_idx" })
        {
            var stats = await dataset.IndexStatsAsync(name);
            Assert.Equal((600L, 0L), (stats!.NumIndexedRows, stats.NumUnindexedRows));
        }

        foreach (var filter in new[] { "id BETWEEN 250 AND 650", "label = 'row 400'", "label IN ('row 10', 'row 310', 'row 610')" })
        {
            var indexed = await IdsAsync(dataset, filter, useIndex: true);
            Assert.Equal(await IdsAsync(dataset, filter, useIndex: false), indexed);
            Assert.DoesNotContain(indexed, id => id is >= 300 and < 600);
        }

        var plan = await dataset.ExplainPlanAsync(new ScanRequest { Filter = "id < 700" });
        Assert.Equal(["id_idx"], plan.ScalarIndexes);
        Assert.Equal(plan.Fragments, plan.FragmentsFromIndex);

        // Every partition probed: IVF_FLAT measures exactly, so the index gives the exact top-10 of the rows left.
        var left = vectors.Select((v, i) => (v, i)).Where(p => p.i is < 300 or >= 600).ToList();
        foreach (var q in new[] { 10, 350, 700 })
        {
            var hits = IndexData.Ids(await dataset.SearchAsync(new VectorSearchRequest("vector", vectors[q], 10) { Nprobes = 4 }));
            var exact = IndexData.Exact(left.Select(p => p.v).ToArray(), vectors[q], 10, DistanceMetric.L2).Select(i => (long)left[(int)i].i);
            Assert.Equal(exact, hits);
        }

        Assert.Equal("vector_idx", (await dataset.ExplainPlanAsync(new VectorSearchRequest("vector", vectors[0], 10))).VectorIndex);
    }

    [Fact]
    public async Task An_update_of_every_row_of_a_fragment_keeps_every_index_and_scans_the_rewritten_rows()
    {
        var (dataset, _) = await IndexedAsync();
        await using var _d = dataset;

        await dataset.UpdateAsync("id >= 300 AND id < 600", new Dictionary<string, object?> { ["label"] = "moved" });

        Assert.Equal(["id_idx", "label_idx", "vector_idx"], LatestManifest().Indices.Select(i => i.Name).Order());
        var stats = await dataset.IndexStatsAsync("label_idx");
        Assert.Equal((600L, 300L), (stats!.NumIndexedRows, stats.NumUnindexedRows));
        Assert.Equal(Enumerable.Range(300, 300).Select(i => (long)i), await IdsAsync(dataset, "label = 'moved'", useIndex: true));
        Assert.Empty(await IdsAsync(dataset, "label = 'row 400'", useIndex: true));
        Assert.Equal(await IdsAsync(dataset, "id BETWEEN 250 AND 650", useIndex: false), await IdsAsync(dataset, "id BETWEEN 250 AND 650", useIndex: true));
    }

    [Fact]
    public async Task A_merge_insert_that_rewrites_every_row_of_a_fragment_keeps_every_index_and_returns_the_new_rows()
    {
        var (dataset, vectors) = await IndexedAsync();
        await using var _d = dataset;
        var source = IndexData.Batch(vectors[600..900].Select(v => v.Select(x => -x).ToArray()).ToArray(), 600);

        var result = await dataset.MergeInsertAsync(["id"], [source], MergeInsertOptions.Upsert);

        Assert.Equal(300L, result.Updated);
        Assert.Equal(["id_idx", "label_idx", "vector_idx"], LatestManifest().Indices.Select(i => i.Name).Order());
        Assert.DoesNotContain(2UL, LatestManifest().Fragments.Select(f => f.Id));
        Assert.Equal((600L, 300L), await dataset.IndexStatsAsync("vector_idx") is { } s ? (s.NumIndexedRows, s.NumUnindexedRows) : default);
        Assert.Equal(await IdsAsync(dataset, "id >= 550", useIndex: false), await IdsAsync(dataset, "id >= 550", useIndex: true));

        // The rewritten rows are searched (exactly, beside the index) with their new vectors, the old ones never.
        var query = vectors[700].Select(x => -x).ToArray();
        var hits = await dataset.SearchAsync(new VectorSearchRequest("vector", query, 5) { Nprobes = 4 });
        Assert.Equal(700L, IndexData.Ids(hits)[0]);
        var near = IndexData.Ids(await dataset.SearchAsync(new VectorSearchRequest("vector", vectors[700], 10) { Nprobes = 4 }));
        Assert.DoesNotContain(700L, near);
    }

    [Fact]
    public async Task Emptying_the_only_fragment_keeps_its_id_used_so_rows_appended_later_are_not_taken_for_indexed_ones()
    {
        var vectors = IndexData.Vectors(200, Dim, seed: 7);
        var first = IndexData.Batch(vectors[..100], 0);
        await using (var dataset = await LanceDataset.CreateAsync(Path, first.Schema, [first]))
        {
            await dataset.CreateScalarIndexAsync("id", ScalarIndexKind.BTree);
            await dataset.DeleteAsync("id < 100");
        }

        await using var reopened = await LanceDataset.OpenAsync(Path);
        await reopened.AppendAsync([IndexData.Batch(vectors[100..], 100)]);

        var manifest = LatestManifest();
        Assert.Equal([1UL], manifest.Fragments.Select(f => f.Id));
        Assert.Equal([0UL], Assert.Single(manifest.Indices).Fragments);
        Assert.Equal((0L, 100L), await reopened.IndexStatsAsync("id_idx") is { } s ? (s.NumIndexedRows, s.NumUnindexedRows) : default);
        Assert.Equal(Enumerable.Range(100, 100).Select(i => (long)i), await IdsAsync(reopened, "id >= 0", useIndex: true));
    }

    [Fact]
    public async Task A_vector_index_left_covering_no_fragment_goes_and_a_scalar_index_stays()
    {
        var vectors = IndexData.Vectors(600, Dim, seed: 6);
        var first = IndexData.Batch(vectors[..300], 0);
        await using var dataset = await LanceDataset.CreateAsync(Path, first.Schema, [first]);
        await dataset.CreateScalarIndexAsync("id", ScalarIndexKind.BTree);
        await dataset.CreateIndexAsync("vector", IndexConfig.IvfFlat(2));
        await dataset.AppendAsync([IndexData.Batch(vectors[300..], 300)]);

        await dataset.DeleteAsync("id < 300");

        var index = Assert.Single(LatestManifest().Indices);
        Assert.Equal("id_idx", index.Name);
        Assert.Equal([0UL], index.Fragments);
        Assert.Empty(dataset.ListIndices());
        Assert.Equal(Enumerable.Range(300, 11).Select(i => (long)i), await IdsAsync(dataset, "id <= 310", useIndex: true));
    }
}
