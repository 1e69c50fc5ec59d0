namespace Lance.Orm.Tests.Lifetime;

/// <summary>The connection's column cache budget reaches every table's dataset.</summary>
public sealed class CacheBudgetTests : IDisposable
{
    private readonly TempDb _db = new();

    public void Dispose() => _db.Dispose();

    [Fact]
    public async Task Tables_created_and_opened_get_the_connections_cache_budget()
    {
        await using var db = await LanceDb.ConnectAsync(_db.Path, new DatabaseOptions { CacheBudgetBytes = 256L << 20 });

        await using var created = await db.CreateTableAsync<Point>("points", [new Point { Id = 1, Vector = [1, 2, 3, 4] }]);
        await using var opened = await db.OpenTableAsync<Point>("points");

        Assert.Equal(256L << 20, created.Dataset.CacheBudgetBytes);
        Assert.Equal(256L << 20, opened.Dataset.CacheBudgetBytes);
        Assert.Single(await opened.Search(new float[] { 1, 2, 3, 4 }).Limit(1).ToListAsync());
    }

    [Fact]
    public async Task The_default_budget_is_one_gibibyte()
    {
        await using var db = await _db.ConnectAsync();

        await using var table = await db.CreateTableAsync<Point>("points", [new Point { Id = 1, Vector = [1, 2, 3, 4] }]);

        Assert.Equal(1L << 30, new DatabaseOptions().CacheBudgetBytes);
        Assert.Equal(1L << 30, table.Dataset.CacheBudgetBytes);
    }
}
