using Lance.Engine;

namespace Lance.Orm.Tests;

/// <summary>List, stats, drop, optimise and replace of indexes through typed and untyped tables.</summary>
public sealed class IndexManagementTests : IDisposable
{
    private readonly TempDb _db = new();

    public void Dispose() => _db.Dispose();

    private static List<Point> Rows(int first, int count)
    {
        var random = new Random(first + 1);
        return Enumerable.Range(first, count).Select(i => new Point
        {
            Id = i,
            Vector = [.. Enumerable.Range(0, 4).Select(_ => (float)random.NextDouble())],
            Label = $"l{i % 6}",
        }).ToList();
    }

    [Fact]
    public async Task A_typed_table_lists_stats_optimises_and_drops_its_indexes()
    {
        var db = await _db.ConnectAsync();
        var points = await db.CreateTableAsync("points", Rows(0, 400));
        await points.CreateScalarIndexAsync(x => x.Id, ScalarIndexConfig.BTree());
        await points.CreateIndexAsync(x => x.Vector, new IvfPqOptions { NumPartitions = 4, NumSubVectors = 2 });
        await points.AddAsync(Rows(400, 50));
        await points.DeleteAsync(x => x.Id < 10);

        var listed = await points.ListIndicesAsync();
        var before = await points.IndexStatsAsync("id_idx");
        await points.OptimizeIndexAsync();
        var after = await points.IndexStatsAsync("vector_idx");
        await points.DropIndexAsync("id_idx");

        Assert.Equal([("id_idx", "BTree"), ("vector_idx", "IvfPq")], listed.Select(i => (i.Name, i.IndexType)));
        Assert.Equal(new IndexStatistics(390, 50, "BTREE", null, 1), before);
        Assert.Equal(new IndexStatistics(440, 0, "IVF_PQ", "l2", 1), after);
        Assert.Equal(["vector_idx"], (await points.ListIndicesAsync()).Select(i => i.Name));
        Assert.Equal(Enumerable.Range(400, 50).Select(i => (long)i), (await points.Query().Where(x => x.Id >= 400).ToListAsync()).Select(p => p.Id).Order());
    }

    [Fact]
    public async Task An_untyped_table_creates_and_manages_indexes_by_column_name()
    {
        var db = await _db.ConnectAsync();
        await db.CreateTableAsync("points", Rows(0, 300));
        var table = await db.OpenTableAsync("points");

        await table.CreateIndexAsync("vector", new IvfPqOptions { NumPartitions = 4, NumSubVectors = 2, Metric = DistanceMetric.Dot });
        await table.CreateScalarIndexAsync("label", ScalarIndexConfig.Bitmap());
        var stats = await table.IndexStatsAsync("vector_idx");
        var error = await Assert.ThrowsAsync<LanceIndexExistsException>(() => table.CreateScalarIndexAsync("label", ScalarIndexConfig.BTree() with { Replace = false }));
        await table.DropIndexAsync("vector_idx");

        Assert.Equal(new IndexStatistics(300, 0, "IVF_PQ", "dot", 1), stats);
        Assert.Equal(("label", "label_idx"), (error.Column, error.IndexName));
        Assert.Equal([("label_idx", "Bitmap", "label")], (await table.ListIndicesAsync()).Select(i => (i.Name, i.IndexType, i.Columns.Single())));
        await Assert.ThrowsAsync<LanceIndexException>(() => table.DropIndexAsync("vector_idx"));
    }
}
