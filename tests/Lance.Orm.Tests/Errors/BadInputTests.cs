using Apache.Arrow;
using Lance.Orm.Tests.Querying;

namespace Lance.Orm.Tests.Errors;

public partial record Strict : ILanceModel
{
    public long Id { get; init; }
    public string Name { get; init; } = "";
    public List<long> Values { get; init; } = [];
    [Vector(4)] public float[]? Vector { get; init; }
}

/// <summary>
/// Every obvious bad input to the public API is refused with a typed exception that names the
/// table, the column or the value, and the rows already committed read the same afterwards.
/// </summary>
public sealed class BadInputTests : IDisposable
{
    private readonly TempDb _db = new();

    public void Dispose() => _db.Dispose();

    private async Task<Table<Item>> ItemsAsync() => await (await _db.ConnectAsync()).CreateTableAsync("items", Item.Sample(20));

    private static async Task<string> SnapshotAsync(Table table)
    {
        await table.RefreshAsync();
        var rows = await table.Query().ToListAsync<Item>();
        return $"version {table.Version}: " + string.Join("\n", rows.Select(r => $"{r} [{string.Join(", ", r.Vector)}]"));
    }

    [Theory]
    [InlineData("s3://bucket/db")]
    [InlineData("az://container/db")]
    public async Task An_object_store_uri_without_the_cloud_package_names_the_uri_and_the_package_to_add(string uri)
    {
        // This test project does not reference Lance.Storage.Cloud; with it, the same call connects (CloudDatabaseTests).
        Assert.DoesNotContain(AppDomain.CurrentDomain.GetAssemblies(), a => a.GetName().Name == "Lance.Storage.Cloud");
        var e = await Assert.ThrowsAsync<NotSupportedException>(() => LanceDb.ConnectAsync(uri));
        Assert.Contains(uri, e.Message, StringComparison.Ordinal);
        Assert.Contains("Lance.Storage.Cloud", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Adding_a_null_row_names_the_table_and_the_row_and_writes_nothing()
    {
        var table = await ItemsAsync();
        var before = await SnapshotAsync(table);

        var error = await Assert.ThrowsAsync<ArgumentException>(() => table.AddAsync([Item.Sample(30)[25], null!]));

        Assert.Contains("table 'items'", error.Message, StringComparison.Ordinal);
        Assert.Contains("Row 1 ", error.Message, StringComparison.Ordinal);
        Assert.Equal(before, await SnapshotAsync(table));
    }

    [Fact]
    public async Task Creating_a_table_with_a_null_row_names_the_row_and_creates_nothing()
    {
        var db = await _db.ConnectAsync();

        var error = await Assert.ThrowsAsync<ArgumentException>(() => db.CreateTableAsync("items", [.. Item.Sample(3), null!]));

        Assert.Contains("Row 3 ", error.Message, StringComparison.Ordinal);
        Assert.Empty(await db.TableNamesAsync());
    }

    [Fact]
    public async Task Merging_a_null_row_names_the_row_and_changes_nothing()
    {
        var table = await ItemsAsync();
        var before = await SnapshotAsync(table);

        var error = await Assert.ThrowsAsync<ArgumentException>(() => table.MergeInsertAsync([null!], ["id"], MergeInsertOptions.Upsert));

        Assert.Contains("Row 0 ", error.Message, StringComparison.Ordinal);
        Assert.Equal(before, await SnapshotAsync(table));
    }

    [Fact]
    public async Task Adding_a_null_record_batch_names_the_table_and_writes_nothing()
    {
        var table = await ItemsAsync();
        var untyped = await (await _db.ConnectAsync()).OpenTableAsync("items");
        var before = await SnapshotAsync(table);

        var error = await Assert.ThrowsAsync<ArgumentException>(() => untyped.AddAsync([Item.ToRecordBatch([.. Item.Sample(2)]), null!]));

        Assert.Contains("table 'items'", error.Message, StringComparison.Ordinal);
        Assert.Contains("Batch 1 ", error.Message, StringComparison.Ordinal);
        Assert.Equal(before, await SnapshotAsync(table));
    }

    [Fact]
    public async Task Adding_a_null_collection_is_an_ArgumentNullException()
    {
        var table = await ItemsAsync();

        await Assert.ThrowsAsync<ArgumentNullException>(() => table.AddAsync((IEnumerable<Item>)null!));
        await Assert.ThrowsAsync<ArgumentNullException>(() => table.AddAsync((IAsyncEnumerable<Item>)null!));
    }

    [Fact]
    public async Task A_null_string_in_a_non_nullable_column_names_the_table_member_and_column_and_writes_nothing()
    {
        var table = await (await _db.ConnectAsync()).CreateTableAsync("strict", [new Strict { Id = 1, Name = "a" }]);

        var error = await Assert.ThrowsAsync<LanceSchemaException>(() => table.AddAsync([new Strict { Id = 2, Name = "b" }, new Strict { Id = 3, Name = null! }]));

        Assert.Contains("table 'strict'", error.Message, StringComparison.Ordinal);
        Assert.Contains("Strict.Name", error.Message, StringComparison.Ordinal);
        Assert.Contains("'name'", error.Message, StringComparison.Ordinal);
        Assert.Equal([1L], (await table.Query().ToListAsync()).Select(r => r.Id));
    }

    [Fact]
    public async Task A_null_list_in_a_non_nullable_column_names_the_member_and_column_and_writes_nothing()
    {
        var table = await (await _db.ConnectAsync()).CreateTableAsync("strict", [new Strict { Id = 1, Name = "a" }]);

        var error = await Assert.ThrowsAsync<LanceSchemaException>(() => table.AddAsync([new Strict { Id = 2, Values = null! }]));

        Assert.Contains("Strict.Values", error.Message, StringComparison.Ordinal);
        Assert.Contains("'values'", error.Message, StringComparison.Ordinal);
        Assert.Equal(1, await table.CountRowsAsync());
    }

    [Fact]
    public async Task A_vector_of_the_wrong_length_names_the_table_column_and_both_lengths_and_writes_nothing()
    {
        var table = await (await _db.ConnectAsync()).CreateTableAsync("strict", [new Strict { Id = 1, Name = "a" }]);

        var error = await Assert.ThrowsAsync<LanceSchemaException>(() => table.AddAsync([new Strict { Id = 2, Vector = [1, 2, 3] }]));

        Assert.Contains("table 'strict'", error.Message, StringComparison.Ordinal);
        Assert.Contains("'vector'", error.Message, StringComparison.Ordinal);
        Assert.Contains("expected length 4, actual length 3", error.Message, StringComparison.Ordinal);
        Assert.Equal(1, await table.CountRowsAsync());
    }

    [Fact]
    public async Task Updating_with_a_vector_of_the_wrong_length_names_the_column_and_changes_nothing()
    {
        var table = await ItemsAsync();
        var before = await SnapshotAsync(table);
        float[] shorter = [1, 2];

        var typed = await Assert.ThrowsAsync<LanceSchemaException>(() => table.UpdateAsync(x => x.Id == 1, x => new Item { Vector = shorter }));
        var untyped = await Assert.ThrowsAsync<LanceSchemaException>(() => table.UpdateAsync("id = 1", new Dictionary<string, object?> { ["vector"] = shorter }));

        Assert.Contains("'vector'", typed.Message, StringComparison.Ordinal);
        Assert.Contains("'vector' of table 'items'", untyped.Message, StringComparison.Ordinal);
        Assert.Equal(before, await SnapshotAsync(table));
    }

    [Fact]
    public async Task Merging_rows_with_a_duplicate_key_names_the_key_and_changes_nothing()
    {
        var table = await ItemsAsync();
        var before = await SnapshotAsync(table);
        var twice = Item.Sample(30)[25];

        var error = await Assert.ThrowsAsync<LanceException>(() => table.MergeInsertAsync([twice, twice with { Name = "again" }], ["id"], MergeInsertOptions.Upsert));

        Assert.Contains("(25)", error.Message, StringComparison.Ordinal);
        Assert.Contains("items", error.Message, StringComparison.Ordinal);
        Assert.Equal(before, await SnapshotAsync(table));
    }

    [Fact]
    public async Task An_untyped_update_of_an_unknown_column_names_it_and_the_table_and_changes_nothing()
    {
        var table = await ItemsAsync();
        var before = await SnapshotAsync(table);

        var error = await Assert.ThrowsAsync<LanceSchemaException>(() => table.UpdateAsync("id = 1", new Dictionary<string, object?> { ["nope"] = 1 }));

        Assert.Contains("'nope'", error.Message, StringComparison.Ordinal);
        Assert.Contains("table 'items'", error.Message, StringComparison.Ordinal);
        Assert.Equal(before, await SnapshotAsync(table));
    }

    [Fact]
    public async Task An_untyped_update_with_a_value_of_another_type_names_the_value_column_and_table_and_changes_nothing()
    {
        var table = await ItemsAsync();
        var before = await SnapshotAsync(table);

        var error = await Assert.ThrowsAsync<LanceSchemaException>(() => table.UpdateAsync("id = 1", new Dictionary<string, object?> { ["rank"] = "many" }));

        Assert.Contains("'many'", error.Message, StringComparison.Ordinal);
        Assert.Contains("'rank'", error.Message, StringComparison.Ordinal);
        Assert.Contains("table 'items'", error.Message, StringComparison.Ordinal);
        Assert.Equal(before, await SnapshotAsync(table));
    }

    [Fact]
    public async Task An_untyped_update_with_an_integer_out_of_the_columns_range_is_refused_not_wrapped()
    {
        var table = await ItemsAsync();
        var before = await SnapshotAsync(table);

        var error = await Assert.ThrowsAsync<LanceSchemaException>(() => table.UpdateAsync("id = 1", new Dictionary<string, object?> { ["rank"] = 1L << 40 }));

        Assert.Contains("'rank' (int32)", error.Message, StringComparison.Ordinal);
        Assert.Equal(before, await SnapshotAsync(table));
    }

    [Fact]
    public async Task An_update_setting_a_non_nullable_column_to_null_names_it_and_changes_nothing()
    {
        var table = await ItemsAsync();
        var before = await SnapshotAsync(table);

        var error = await Assert.ThrowsAsync<LanceSchemaException>(() => table.UpdateAsync(null, new Dictionary<string, object?> { ["score"] = null }));

        Assert.Contains("'score' of table 'items' is not nullable", error.Message, StringComparison.Ordinal);
        Assert.Equal(before, await SnapshotAsync(table));
    }

    [Fact]
    public async Task An_update_with_no_values_is_an_ArgumentException_naming_the_table()
    {
        var table = await ItemsAsync();

        var error = await Assert.ThrowsAsync<ArgumentException>(() => table.UpdateAsync("id = 1", new Dictionary<string, object?>()));

        Assert.Contains("table 'items'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Selecting_an_unknown_column_names_it()
    {
        var table = await ItemsAsync();

        var error = await Assert.ThrowsAsync<LanceSchemaException>(() => table.Query().Select("id", "nope").ToListAsync());

        Assert.Contains("'nope'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_filter_on_a_missing_column_is_a_filter_exception_naming_it_and_deletes_nothing()
    {
        var table = await ItemsAsync();
        var before = await SnapshotAsync(table);

        var query = await Assert.ThrowsAsync<LanceFilterException>(() => table.Query().Where("nope > 1").ToListAsync());
        var delete = await Assert.ThrowsAsync<LanceFilterException>(() => table.DeleteAsync("nope > 1"));
        var update = await Assert.ThrowsAsync<LanceFilterException>(() => table.UpdateAsync("nope > 1", new Dictionary<string, object?> { ["rank"] = 1 }));

        Assert.All([query, delete, update], e => Assert.Contains("nope", e.Message, StringComparison.Ordinal));
        Assert.Equal(before, await SnapshotAsync(table));
    }

    [Theory]
    [InlineData("")]
    [InlineData("a/b")]
    [InlineData("has space")]
    public async Task An_invalid_table_name_is_an_ArgumentException_naming_it(string name)
    {
        var db = await _db.ConnectAsync();

        var open = await Assert.ThrowsAsync<ArgumentException>(() => db.OpenTableAsync(name));
        var create = await Assert.ThrowsAsync<ArgumentException>(() => db.CreateTableAsync<Item>(name));

        Assert.Contains($"'{name}'", open.Message, StringComparison.Ordinal);
        Assert.Contains($"'{name}'", create.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Opening_a_missing_table_is_a_table_not_found_exception_naming_it()
    {
        var db = await _db.ConnectAsync();

        var untyped = await Assert.ThrowsAsync<LanceTableNotFoundException>(() => db.OpenTableAsync("missing"));
        var typed = await Assert.ThrowsAsync<LanceTableNotFoundException>(() => db.OpenTableAsync<Item>("missing"));

        Assert.Equal(("missing", "missing"), (untyped.TableName, typed.TableName));
    }
}
