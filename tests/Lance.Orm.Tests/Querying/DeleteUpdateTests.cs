namespace Lance.Orm.Tests.Querying;

public sealed class DeleteUpdateTests : IDisposable
{
    private readonly TempDb _db = new();

    public void Dispose() => _db.Dispose();

    private async Task<Table<Item>> CreateAsync()
    {
        var db = await _db.ConnectAsync();
        return await db.CreateTableAsync<Item>("items", Item.Sample(100));
    }

    [Fact]
    public async Task DeleteAsync_with_linq_deletes_what_linq_to_objects_selects()
    {
        var table = await CreateAsync();

        var deleted = await table.DeleteAsync(x => x.Rank != 7 && x.Category == "red");

        var expected = Item.Sample(100).Where(x => !(x.Rank != 7 && x.Category == "red")).Select(x => x.Id);
        Assert.Equal(Item.Sample(100).Count(x => x.Rank != 7 && x.Category == "red"), deleted);
        Assert.Equal(expected, (await table.Query().ToListAsync()).Select(x => x.Id));
    }

    [Fact]
    public async Task DeleteAsync_with_sql_deletes_passing_rows()
    {
        var table = await CreateAsync();

        Assert.Equal(10, await table.DeleteAsync("id < 10"));
        Assert.Equal(90, await table.CountRowsAsync());
    }

    [Fact]
    public async Task UpdateAsync_sets_the_initialized_members_of_matching_rows()
    {
        var table = await CreateAsync();
        var newName = "renamed";

        var updated = await table.UpdateAsync(x => x.Id < 5 && x.Active, x => new Item { Name = newName, Price = null, Rank = 99 });

        Assert.Equal(2, updated); // ids 0 and 3
        var rows = (await table.Query().ToListAsync()).ToDictionary(x => x.Id);
        Assert.Equal(100, rows.Count);
        foreach (var original in Item.Sample(100))
        {
            var expected = original.Id < 5 && original.Active ? original with { Name = newName, Price = null, Rank = 99 } : original;
            Assert.Equal((expected.Name, expected.Price, expected.Rank, expected.Score), (rows[original.Id].Name, rows[original.Id].Price, rows[original.Id].Rank, rows[original.Id].Score));
        }
    }

    [Fact]
    public async Task UpdateAsync_computes_values_that_read_the_row_per_row()
    {
        var table = await CreateAsync();

        var updated = await table.UpdateAsync(x => x.Id < 10, x => new Item { Score = x.Score * 2, Rank = 7 });

        Assert.Equal(10, updated);
        var rows = (await table.Query().ToListAsync()).ToDictionary(x => x.Id);
        foreach (var original in Item.Sample(100))
        {
            var expected = original.Id < 10 ? original with { Score = original.Score * 2, Rank = 7 } : original;
            Assert.Equal((expected.Score, expected.Rank), (rows[original.Id].Score, rows[original.Id].Rank));
        }
    }

    [Fact]
    public async Task UpdateAsync_with_a_row_value_that_cannot_be_translated_names_it_and_changes_nothing()
    {
        var table = await CreateAsync();

        var ex = await Assert.ThrowsAsync<NotSupportedException>(() => table.UpdateAsync(x => x.Id == 1, x => new Item { Score = x.Name.GetHashCode() }));

        Assert.Contains("GetHashCode", ex.Message, StringComparison.Ordinal);
        Assert.Equal(Item.Sample(100)[1].Score, (await table.Query().Where(x => x.Id == 1).FirstOrDefaultAsync())!.Score);
    }

    [Fact]
    public async Task DeleteAsync_with_an_untranslatable_predicate_deletes_nothing()
    {
        var table = await CreateAsync();

        await Assert.ThrowsAsync<NotSupportedException>(() => table.DeleteAsync(x => x.Name.GetHashCode() == 0));

        Assert.Equal(100, await table.CountRowsAsync());
    }
}
