namespace Lance.Orm.Tests.Lifetime;

/// <summary>
/// A handle whose table changed under it fails naming the table or column, never answering with
/// default values or from a dropped table's leftovers.
/// </summary>
public sealed class StaleHandleTests : IDisposable
{
    private readonly TempDb _db = new();

    public void Dispose() => _db.Dispose();

    private static Point[] Points(int count) =>
        Enumerable.Range(0, count).Select(i => new Point { Id = i, Vector = [i, 1, 2, 3], Label = $"p{i}" }).ToArray();

    [Fact]
    public async Task A_typed_read_of_a_version_without_a_model_column_throws_naming_it()
    {
        await using var db = await _db.ConnectAsync();
        await using var table = await db.CreateTableAsync("points", Points(5));

        await table.DropColumnsAsync(["label"]);

        var query = await Assert.ThrowsAsync<LanceSchemaException>(() => table.Query().ToListAsync());
        Assert.Contains("'points'", query.Message);
        Assert.Contains("'label'", query.Message);
        Assert.Contains("Point", query.Message);
        await Assert.ThrowsAsync<LanceSchemaException>(() => table.Search(new float[] { 1, 1, 2, 3 }).Limit(2).ToListAsync());
        await Assert.ThrowsAsync<LanceSchemaException>(() => table.Search(new float[] { 1, 1, 2, 3 }).Limit(2).ToSearchResultsAsync());
        await Assert.ThrowsAsync<LanceSchemaException>(() => table.Query().Where(x => x.Id == 1).FirstOrDefaultAsync());
        await Assert.ThrowsAsync<LanceSchemaException>(async () => await table.AsAsyncEnumerable().ToListAsync());
        await using (var untyped = await db.OpenTableAsync("points"))
        {
            await Assert.ThrowsAsync<LanceSchemaException>(() => untyped.Query().ToListAsync<Point>());
        }

        // Asking for the columns that are left still reads, as does a projection; the rows are all there.
        var ids = await table.Query().Select(x => x.Id).ToListAsync();
        Assert.Equal([0L, 1, 2, 3, 4], ids.Order());
        var selected = await table.Query().Select("id", "vector").ToListAsync();
        Assert.Equal(5, selected.Count);
        Assert.All(selected, p => Assert.Null(p.Label));

        // Back to a version that has the column: typed reads answer again, with the stored values.
        await table.RestoreAsync(1);
        var restored = await table.Query().ToListAsync();
        Assert.Equal(Points(5).Select(p => p.Label), restored.OrderBy(p => p.Id).Select(p => p.Label));
    }

    [Fact]
    public async Task Handles_of_a_dropped_table_throw_table_not_found_and_a_new_table_of_the_name_is_its_own()
    {
        await using var db = await _db.ConnectAsync();
        await using var typed = await db.CreateTableAsync("points", Points(5));
        await using var untyped = await db.OpenTableAsync("points");
        await using var old = await typed.CheckoutAsync(1);

        await db.DropTableAsync("points");

        var count = await Assert.ThrowsAsync<LanceTableNotFoundException>(() => typed.CountRowsAsync());
        Assert.Equal("points", count.TableName);
        await Assert.ThrowsAsync<LanceTableNotFoundException>(() => untyped.CountRowsAsync());
        await Assert.ThrowsAsync<LanceTableNotFoundException>(() => old.CountRowsAsync());
        await Assert.ThrowsAsync<LanceTableNotFoundException>(() => typed.Search(new float[] { 1, 1, 2, 3 }).Limit(1).ToListAsync());
        await Assert.ThrowsAsync<LanceTableNotFoundException>(() => typed.Query().ToListAsync());
        await Assert.ThrowsAsync<LanceTableNotFoundException>(() => typed.AddAsync(Points(1)));
        await Assert.ThrowsAsync<LanceTableNotFoundException>(() => untyped.DeleteAsync("id = 1"));
        Assert.Throws<LanceTableNotFoundException>(() => typed.Version);

        // A table made again under the name is new: the old handles stay stale, a new one reads it.
        await using var again = await db.CreateTableAsync("points", Points(2));
        Assert.Equal(2, await again.CountRowsAsync());
        await Assert.ThrowsAsync<LanceTableNotFoundException>(() => typed.CountRowsAsync());
        await using var reopened = await db.OpenTableAsync<Point>("points");
        Assert.Equal(2, await reopened.CountRowsAsync());
    }

    [Fact]
    public async Task A_table_dropped_by_another_process_fails_reads_and_writes_as_not_found_and_is_not_brought_back()
    {
        await using var db = await _db.ConnectAsync();
        await using var table = await db.CreateTableAsync("points", Points(5));
        await using (var other = await _db.ConnectAsync())
        {
            await other.DropTableAsync("points"); // another Database: this one's handles learn it from the store
        }

        var read = await Assert.ThrowsAsync<LanceTableNotFoundException>(() => table.Query().ToListAsync());
        Assert.Equal("points", read.TableName);
        Assert.Contains("dropped", read.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<LanceTableNotFoundException>(() => table.Search(new float[] { 1, 1, 2, 3 }).Limit(1).ToListAsync());
        await Assert.ThrowsAsync<LanceTableNotFoundException>(() => table.CountRowsAsync(x => x.Id > 1));
        await Assert.ThrowsAsync<LanceTableNotFoundException>(() => table.DeleteAsync(x => x.Id == 1));

        // An add does not commit a version into the dropped table's folder (which would make a table of files that are gone).
        await Assert.ThrowsAsync<LanceTableNotFoundException>(() => table.AddAsync(Points(1)));
        Assert.DoesNotContain("points", await db.TableNamesAsync());
        await Assert.ThrowsAsync<LanceTableNotFoundException>(() => db.OpenTableAsync<Point>("points"));
        await using var again = await db.CreateTableAsync("points", Points(2));
        Assert.Equal(2, await again.CountRowsAsync());
    }
}
