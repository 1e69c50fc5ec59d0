using Lance.Orm;

namespace Lance.Interop.Tests;

public partial record ForeignItem : ILanceModel
{
    public long Id { get; init; }
    public string? Text { get; init; }
    [Vector(16)] public float[]? Vector { get; init; }
}

public partial record ForeignItemWithIntText : ILanceModel
{
    public long Id { get; init; }
    public int? Text { get; init; }
}

public partial record ForeignItemWithSmallVector : ILanceModel
{
    public long Id { get; init; }
    [Vector(8)] public float[]? Vector { get; init; }
}

public partial record ForeignItemWithTitle : ILanceModel
{
    public long Id { get; init; }
    public string? Title { get; init; }
}

/// <summary>
/// A typed table opened over a dataset LanceDB wrote checks the model against the stored schema and
/// names the column and both types when they disagree.
/// </summary>
public sealed class ForeignTypedTableTests : IDisposable
{
    private readonly TempCopy _db = TempCopy.Empty();

    public void Dispose() => _db.Dispose();

    private async Task<Database> LanceDbTableAsync()
    {
        using var _ = await LanceDbPeer.Default.RunAsync("foreign-ops", new { db = _db.Path, table = "items", create = new { rows = 50, dim = 16 } });
        return await LanceDb.ConnectAsync(_db.Path);
    }

    [Fact]
    public async Task Opening_a_table_with_LanceDBs_IVF_PQ_index_logs_no_ignored_index_now_that_the_index_is_used()
    {
        using (await LanceDbPeer.Default.RunAsync("foreign-ops", new { db = _db.Path, table = "items", create = new { rows = 300, dim = 16 }, index = new { numPartitions = 2, numSubVectors = 4 } }))
        {
        }

        var logger = new Lance.Orm.Embeddings.Tests.ListLogger();
        var db = await LanceDb.ConnectAsync(_db.Path, new DatabaseOptions { Logger = logger });

        var table = await db.OpenTableAsync<ForeignItem>("items");

        Assert.Equal(300, await table.CountRowsAsync());
        Assert.DoesNotContain(logger.Entries, e => e.Message.Contains("does not use it", StringComparison.Ordinal));
        var hits = await table.Search(new float[16]).Limit(5).ToListAsync();
        Assert.Equal(5, hits.Count);
    }

    [Fact]
    public async Task A_model_that_matches_opens_and_counts_LanceDBs_rows()
    {
        var db = await LanceDbTableAsync();

        var table = await db.OpenTableAsync<ForeignItem>("items");

        Assert.Equal(50, await table.CountRowsAsync());
    }

    [Fact]
    public async Task A_column_of_another_type_is_named_with_both_types()
    {
        var db = await LanceDbTableAsync();

        var error = await Assert.ThrowsAsync<LanceSchemaException>(() => db.OpenTableAsync<ForeignItemWithIntText>("items"));

        Assert.Contains("'text'", error.Message);
        Assert.Contains("utf8", error.Message);
        Assert.Contains("int32", error.Message);
    }

    [Fact]
    public async Task A_vector_of_another_dimension_is_named_with_both_dimensions()
    {
        var db = await LanceDbTableAsync();

        var error = await Assert.ThrowsAsync<LanceSchemaException>(() => db.OpenTableAsync<ForeignItemWithSmallVector>("items"));

        Assert.Contains("'vector'", error.Message);
        Assert.Contains("[16]", error.Message);
        Assert.Contains("[8]", error.Message);
    }

    [Fact]
    public async Task A_column_the_table_lacks_is_named_with_the_columns_it_has()
    {
        var db = await LanceDbTableAsync();

        var error = await Assert.ThrowsAsync<LanceSchemaException>(() => db.OpenTableAsync<ForeignItemWithTitle>("items"));

        Assert.Contains("'title'", error.Message);
        Assert.Contains("id, text, vector", error.Message);
    }
}
