using Lance.Engine;
using Lance.Orm;

namespace Lance.Interop.Tests;

/// <summary>A dataset carrying our IVF-PQ index, opened by the real LanceDB (Node).</summary>
public sealed class IndexInteropTests : IDisposable
{
    private readonly TempCopy _db = TempCopy.Empty();
    private readonly LanceDbPeer _peer = LanceDbPeer.Default;

    public void Dispose() => _db.Dispose();

    private async Task<(Table<InteropRow> Table, List<InteropRow> Rows)> IndexedTableAsync()
    {
        var random = new Random(8);
        var rows = Enumerable.Range(0, 2000).Select(i => new InteropRow
        {
            Id = i,
            Name = $"name {i}",
            Embedding = Enumerable.Range(0, 128).Select(_ => (float)((random.NextDouble() * 2) - 1)).ToArray(),
            Small = Enumerable.Range(0, 8).Select(_ => (float)random.NextDouble()).ToArray(),
        }).ToList();
        var db = await LanceDb.ConnectAsync(_db.Path);
        var table = await db.CreateTableAsync<InteropRow>("rows", rows);
        await table.CreateIndexAsync(x => x.Embedding, new IvfPqOptions { NumPartitions = 8, NumSubVectors = 16 });
        return (table, rows);
    }

    [Fact]
    public async Task LanceDB_reads_every_row_of_a_table_carrying_our_index()
    {
        var (table, rows) = await IndexedTableAsync();

        var scan = await _peer.ScanAsync(_db.Path, "rows", ["id", "embedding"]);

        Assert.Equal(2L, (long)table.Version);
        Assert.Equal(rows.Count, scan.RowCount);
        Assert.Equal(rows.Select(r => r.Embedding), scan.Rows.OrderBy(r => r.GetInt64("id")).Select(r => r.GetVector("embedding")));
        Assert.Equal(rows.Count, await _peer.CountAsync(_db.Path, "rows"));
    }

    [Fact]
    public async Task LanceDB_vector_search_on_the_indexed_column_returns_the_nearest_rows()
    {
        var (_, rows) = await IndexedTableAsync();
        var query = rows[77].Embedding!;

        var hits = await _peer.SearchAsync(_db.Path, "rows", query, 5, column: "embedding", columns: ["id"]);

        Assert.Equal(77, hits.Rows[0].GetInt64("id"));
    }

    [Fact]
    public async Task LanceDB_reads_rows_appended_after_our_index_was_built()
    {
        var (table, rows) = await IndexedTableAsync();
        await table.AddAsync([rows[0] with { Id = 5000 }]);

        Assert.Equal(rows.Count + 1, await _peer.CountAsync(_db.Path, "rows"));
        Assert.Single(table.ListIndices());
    }
}
