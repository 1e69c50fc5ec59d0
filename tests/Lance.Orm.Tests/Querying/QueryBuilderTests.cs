using Apache.Arrow;

namespace Lance.Orm.Tests.Querying;

public sealed class QueryBuilderTests : IDisposable
{
    private readonly TempDb _db = new();

    public void Dispose() => _db.Dispose();

    private async Task<Table<Item>> CreateAsync(int rows = 300)
    {
        var db = await _db.ConnectAsync();
        return await db.CreateTableAsync<Item>("items", Item.Sample(rows));
    }

    private static readonly float[] Query = [0.2f, 0.9f, 0.5f, 1f];

    [Fact]
    public async Task Where_sql_and_where_linq_combine_with_and()
    {
        var table = await CreateAsync();

        var rows = await table.Query().Where("id < 50").Where(x => x.Active).ToListAsync();

        Assert.Equal(Item.Sample().Where(x => x.Id < 50 && x.Active).Select(x => x.Id), rows.Select(r => r.Id));
    }

    [Fact]
    public async Task Limit_and_offset_page_a_plain_query()
    {
        var table = await CreateAsync();

        var rows = await table.Query().Where(x => x.Id >= 100).Offset(10).Limit(5).ToListAsync();

        Assert.Equal([110L, 111L, 112L, 113L, 114L], rows.Select(r => r.Id));
    }

    [Fact]
    public async Task Select_with_an_anonymous_type_fetches_only_those_columns()
    {
        var table = await CreateAsync();
        var query = table.Query().Where(x => x.Id < 3);

        var rows = await query.Select(x => new { x.Id, x.Category }).ToListAsync();

        Assert.Equal([new { Id = 0L, Category = "red" }, new { Id = 1L, Category = "green" }, new { Id = 2L, Category = "blue" }], rows);
        var batch = await query.ToBatchAsync();
        Assert.Equal(["id", "cat"], batch.Schema.FieldsList.Select(f => f.Name));
    }

    [Fact]
    public async Task Select_by_column_names_projects_the_arrow_batches()
    {
        var table = await CreateAsync();

        var batch = await table.Query().Where("id = 5").Select("name", "id").ToBatchAsync();

        Assert.Equal(["name", "id"], batch.Schema.FieldsList.Select(f => f.Name));
        Assert.Equal("beta_5", ((StringArray)batch.Column(0)).GetString(0));
    }

    [Fact]
    public async Task ToArrowAsync_streams_a_batch_per_fragment()
    {
        var db = await _db.ConnectAsync();
        var table = await db.CreateTableAsync<Item>("items", Item.Sample(100));
        await table.AddAsync(Item.Sample(200).Skip(100));

        var lengths = new List<int>();
        await foreach (var batch in table.Query().Where(x => x.Id % 2 == 0).ToArrowAsync())
        {
            lengths.Add(batch.Length);
        }

        Assert.Equal([50, 50], lengths);
    }

    [Fact]
    public async Task CountAsync_counts_filtered_rows()
    {
        var table = await CreateAsync();

        Assert.Equal(Item.Sample().Count(x => x.Rank > 20), await table.Query().Where(x => x.Rank > 20).CountAsync());
        Assert.Equal(Item.Sample().Count(x => x.Active), await table.CountRowsAsync(x => x.Active));
        Assert.Equal(100, await table.CountRowsAsync("active = true"));
    }

    [Fact]
    public async Task FirstOrDefaultAsync_returns_the_first_passing_row_or_null()
    {
        var table = await CreateAsync();

        Assert.Equal(7L, (await table.Query().Where(x => x.Id > 6).FirstOrDefaultAsync())!.Id);
        Assert.Null(await table.Query().Where(x => x.Id > 1000).FirstOrDefaultAsync());
        Assert.NotNull(await table.Search(Query).Where(x => x.Active).FirstOrDefaultAsync());
    }

    [Fact]
    public async Task AsAsyncEnumerable_streams_search_results_nearest_first()
    {
        var table = await CreateAsync();
        var expected = await table.Search(Query).Limit(5).ToListAsync();

        var streamed = new List<Item>();
        await foreach (var row in table.Search(Query).Limit(5).AsAsyncEnumerable())
        {
            streamed.Add(row);
        }

        Assert.Equal(expected.Select(r => r.Id), streamed.Select(r => r.Id));
    }

    [Fact]
    public async Task Prefilter_and_postfilter_differ_as_in_LanceDB()
    {
        var table = await CreateAsync();
        var nearest = (await table.Search(Query).Limit(10).ToListAsync()).Select(r => r.Id).ToList();
        var all = (await table.Search(Query).Limit(300).ToListAsync()).Select(r => r.Id).ToList();

        var pre = await table.Search(Query).Where(x => x.Id >= 150).Limit(10).ToListAsync();
        var post = await table.Search(Query).Where(x => x.Id >= 150, prefilter: false).Limit(10).ToListAsync();

        Assert.Equal(all.Where(id => id >= 150).Take(10), pre.Select(r => r.Id));
        Assert.Equal(nearest.Where(id => id >= 150), post.Select(r => r.Id));
        Assert.True(post.Count < pre.Count);
    }

    [Fact]
    public async Task Search_results_carry_distance_and_row_id()
    {
        var table = await CreateAsync();

        var hits = await table.Search(Query).Where("id BETWEEN 10 AND 19").WithRowId().Limit(3).ToSearchResultsAsync();

        Assert.Equal(3, hits.Count);
        Assert.All(hits, h => Assert.Equal((ulong)h.Row.Id, h.RowId)); // one fragment: row id = offset
        Assert.True(hits[0].Distance <= hits[1].Distance);
    }

    [Fact]
    public async Task DistanceRange_and_offset_shape_search_results()
    {
        var table = await CreateAsync();
        var all = await table.Search(Query).Limit(300).ToSearchResultsAsync();
        var lower = all[20].Distance;
        var upper = all[40].Distance;

        var ranged = await table.Search(Query).DistanceRange(lower, upper).Limit(100).ToSearchResultsAsync();
        var paged = await table.Search(Query).Offset(5).Limit(5).ToListAsync();

        Assert.All(ranged, h => Assert.InRange(h.Distance, lower, upper));
        Assert.DoesNotContain(ranged, h => h.Distance >= upper);
        Assert.Equal(all.Skip(5).Take(5).Select(h => h.Row.Id), paged.Select(r => r.Id));
    }

    [Fact]
    public async Task Untyped_tables_take_sql_filters_and_any_model_at_the_end()
    {
        await CreateAsync();
        var db = await _db.ConnectAsync();
        var table = await db.OpenTableAsync("items");

        var rows = await table.Query().Where("cat = 'blue' AND id < 10").ToListAsync<Item>();
        var hits = await table.Search(Query).Where("active").Limit(3).ToListAsync<Item>();

        Assert.Equal([2L, 5L, 8L], rows.Select(r => r.Id));
        Assert.All(hits, h => Assert.True(h.Active));
    }

    [Fact]
    public async Task A_filter_on_a_missing_column_names_it_and_the_tables_columns()
    {
        var table = await CreateAsync(10);

        var ex = await Assert.ThrowsAsync<LanceFilterException>(() => table.Query().Where("colour = 'red'").ToListAsync());

        Assert.Contains("no column 'colour'", ex.Message, StringComparison.Ordinal);
        Assert.Contains("Columns: id, rank, score, price, weight, active, name, note, cat, vector", ex.Message, StringComparison.Ordinal);
        Assert.Equal(0, ex.Position);
    }

    [Fact]
    public async Task A_type_mismatch_is_a_clear_error_with_a_position()
    {
        var table = await CreateAsync(10);

        var ex = await Assert.ThrowsAsync<LanceFilterException>(() => table.Search(Query).Where("id = 'x'").ToListAsync());

        Assert.Equal(5, ex.Position);
        Assert.Contains("column 'id' (int64)", ex.Message, StringComparison.Ordinal);
    }
}
