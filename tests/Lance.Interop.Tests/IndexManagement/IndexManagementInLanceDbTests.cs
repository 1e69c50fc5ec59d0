using Apache.Arrow;
using Lance.Engine;
using Lance.Interop.Tests.VectorIndexes;

namespace Lance.Interop.Tests.IndexManagement;

/// <summary>
/// Index management seen from both sides: LanceDB's listIndices and indexStats equal ours on the same table,
/// for indexes we built and indexes LanceDB built, after appends and deletes, drops and optimisations by
/// either side; filters answer the same rows and vector searches have the same recall (±0.02) throughout.
/// </summary>
public sealed class IndexManagementInLanceDbTests : IDisposable
{
    private const int Dim = 16;

    private static readonly string[] Filters = ["id < 50", "id >= 3100 AND id < 3150", "id = 3333", "label = 'l4'", "label IN ('l1', 'l7') AND id > 2900"];

    private readonly TempCopy _db = TempCopy.Empty();

    public void Dispose() => _db.Dispose();

    private static async Task<IReadOnlyList<string>> OursAsync(LanceDataset dataset)
    {
        var lines = new List<string>();
        foreach (var index in await dataset.ListIndicesAsync())
        {
            var s = (await dataset.IndexStatsAsync(index.Name))!;
            lines.Add(IndexAdminPeer.Line(index.Name, index.IndexType, index.Columns, s.NumIndexedRows, s.NumUnindexedRows, s.IndexType, s.DistanceType, s.NumIndices));
        }

        return lines;
    }

    private static async Task AssertSameAsync(IndexAdminPeer peer, IReadOnlyList<string>? theirs = null)
    {
        await using var dataset = await LanceDataset.OpenAsync(peer.DatasetPath);
        Assert.Equal(theirs ?? await peer.DescribeAsync(), await OursAsync(dataset));
    }

    private static async Task AssertSameRowsAsync(IndexAdminPeer peer, string? vectorMetric)
    {
        await using var dataset = await LanceDataset.OpenAsync(peer.DatasetPath);
        var theirs = await peer.QueryAsync(Filters);
        for (var f = 0; f < Filters.Length; f++)
        {
            var ids = new List<long>();
            await foreach (var batch in dataset.ScanAsync(new ScanRequest { Columns = ["id"], Filter = Filters[f] }))
            {
                var column = (Int64Array)batch.Column(0);
                ids.AddRange(Enumerable.Range(0, column.Length).Select(i => column.GetValue(i)!.Value));
            }

            Assert.True(theirs[f].SequenceEqual(ids.Order()), $"{Filters[f]}: {ids.Count} rows here, {theirs[f].Length} in LanceDB");
        }

        if (vectorMetric is not null)
        {
            await RecallComparison.AssertSameRecallAsync(new VectorIndexPeer(peer.Db, peer.Table), dataset, vectorMetric, DistanceMetric.L2, seed: 9);
        }
    }

    [Fact]
    public async Task LanceDB_lists_stats_and_uses_our_indexes_as_we_do_through_drops_and_optimize()
    {
        var peer = new IndexAdminPeer(_db.Path, "t");
        await peer.CreateAsync(rows: 3000, dim: Dim);
        await using (var dataset = await LanceDataset.OpenAsync(peer.DatasetPath))
        {
            await dataset.CreateScalarIndexAsync("id", ScalarIndexKind.BTree);
            await dataset.CreateScalarIndexAsync("label", ScalarIndexKind.Bitmap);
            await dataset.CreateIndexAsync("vector", new IvfPqOptions { NumPartitions = 8, NumSubVectors = 4 });
        }

        await AssertSameAsync(peer);
        Assert.Contains("'id_idx' already exists", await peer.IndexAsync("id", "btree", replace: false), StringComparison.Ordinal);

        await peer.AppendAsync(rows: 400, dim: Dim, firstId: 3000, seed: 99);
        await peer.DeleteAsync("id % 7 = 3");
        var stale = await peer.DescribeAsync();
        Assert.All(stale, line => Assert.Contains("indexed=2571 unindexed=343", line, StringComparison.Ordinal));
        await AssertSameAsync(peer, stale);
        await AssertSameRowsAsync(peer, "l2");

        await using (var dataset = await LanceDataset.OpenAsync(peer.DatasetPath))
        {
            await dataset.DropIndexAsync("label_idx");
            await dataset.OptimizeIndexAsync();
        }

        var optimised = await peer.DescribeAsync();
        Assert.Equal(["id_idx", "vector_idx"], optimised.Select(l => l.Split(' ')[0]));
        Assert.All(optimised, line => Assert.Contains("indexed=2914 unindexed=0", line, StringComparison.Ordinal));
        await AssertSameAsync(peer, optimised);
        await AssertSameRowsAsync(peer, "l2");
    }

    [Fact]
    public async Task We_list_stats_and_use_LanceDB_indexes_as_LanceDB_does_through_its_optimize_and_drops_and_ours()
    {
        var peer = new IndexAdminPeer(_db.Path, "t");
        await peer.CreateAsync(rows: 3000, dim: Dim);
        Assert.Null(await peer.IndexAsync("id", "btree"));
        Assert.Null(await peer.IndexAsync("label", "bitmap"));
        Assert.Null(await peer.IndexAsync("label", "fts", name: "label_fts"));
        Assert.Null(await peer.IndexAsync("vector", "ivf_pq", partitions: 8, subVectors: 4));
        await peer.AppendAsync(rows: 400, dim: Dim, firstId: 3000, seed: 99);
        await peer.DeleteAsync("id % 7 = 3");

        await AssertSameAsync(peer);
        await AssertSameRowsAsync(peer, "l2");

        // LanceDB's optimize folds the new rows into each of its indexes.
        var optimised = await peer.OptimizeAsync();
        Assert.All(optimised, line => Assert.Contains("unindexed=0", line, StringComparison.Ordinal));
        await AssertSameAsync(peer, optimised);
        Assert.Equal(["IvfPq"], (await peer.DropAsync("id_idx")).Where(l => l.StartsWith("vector_idx", StringComparison.Ordinal)).Select(l => l.Split(' ')[1]));
        await AssertSameAsync(peer);

        // Ours folds later rows into LanceDB's BITMAP and IVF_PQ indexes (the full-text one stays as it is).
        await peer.AppendAsync(rows: 300, dim: Dim, firstId: 3400, seed: 98);
        await peer.DeleteAsync("id % 11 = 5");
        await using (var dataset = await LanceDataset.OpenAsync(peer.DatasetPath))
        {
            await dataset.OptimizeIndexAsync();
            Assert.Equal(0, (await dataset.IndexStatsAsync("label_idx"))!.NumUnindexedRows);
            Assert.Equal(0, (await dataset.IndexStatsAsync("vector_idx"))!.NumUnindexedRows);
            Assert.NotEqual(0, (await dataset.IndexStatsAsync("label_fts"))!.NumUnindexedRows);
        }

        await AssertSameAsync(peer);
        await AssertSameRowsAsync(peer, "l2");
    }
}
