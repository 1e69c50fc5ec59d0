using Apache.Arrow;

namespace Lance.Orm.Tests.Friction;

/// <summary>Issue 18's friction list: lambda keys, column names from members, lookups by [Key], OrderBy on plain queries.</summary>
public sealed class FrictionTests : IDisposable
{
    private readonly TempDb _db = new();

    public void Dispose() => _db.Dispose();

    private async Task<Table<Product>> Products(int count = 10)
    {
        var db = await _db.ConnectAsync();
        return await db.CreateTableAsync("products", Product.Sample(count), CreateMode.Overwrite);
    }

    [Fact]
    public void Column_names_come_from_the_generated_map()
    {
        Assert.Equal("sku", Columns<Product>.Name(x => x.StockKeepingUnit));
        Assert.Equal("embedding", Columns<Product>.Name(x => x.Embedding));
        Assert.Equal("made.country", Columns<Product>.Name(x => x.Made.Country));
        Assert.Equal(["id", "sku"], Columns<Product>.Names(x => new { x.Id, x.StockKeepingUnit }));
        Assert.Equal(["price"], Columns<Product>.Names(x => x.Price));

        var ignored = Assert.Throws<ArgumentException>(() => Columns<Product>.Name(x => x.Display));
        Assert.Contains("Display", ignored.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => Columns<Product>.Name(x => x.Title.Length));
        Assert.Throws<ArgumentException>(() => Columns<Product>.Name(x => 5));
    }

    [Fact]
    public void The_generator_marks_key_members()
    {
        Assert.Equal(["id"], Product.ColumnMap.KeyMembers.Select(m => m.Column));
        Assert.Equal(["region", "sku"], Stock.ColumnMap.KeyMembers.Select(m => m.Column));
        Assert.Equal(["id"], GuidKeyed.ColumnMap.KeyMembers.Select(m => m.Column));
        Assert.Empty(Unkeyed.ColumnMap.KeyMembers);
    }

    [Fact]
    public async Task A_table_names_its_columns_and_a_search_picks_its_vector_by_member()
    {
        var products = await Products();
        Assert.Equal("sku", products.ColumnName(x => x.StockKeepingUnit));

        var byThumbnail = await products.Search(new float[] { 0, 3 }).Column(x => x.Thumbnail).Limit(1).ToListAsync();
        Assert.Equal(3, Assert.Single(byThumbnail).Id);
        var byEmbedding = await products.Search(new float[] { 6, 0, 0, 1 }).Column(x => x.Embedding).Limit(1).ToListAsync();
        Assert.Equal(6, Assert.Single(byEmbedding).Id);

        // Without a column, a model with two vectors is ambiguous: the error says how to choose.
        var error = await Assert.ThrowsAsync<LanceSchemaException>(() => products.Search(new float[] { 0, 3 }).ToListAsync());
        Assert.Contains("several vector columns", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetAsync_and_GetManyAsync_look_rows_up_by_key()
    {
        var products = await Products();

        Assert.Equal("product 4", (await products.GetAsync(4L))!.Title);
        Assert.Equal("product 5", (await products.GetAsync(5))!.Title); // an int for a long key
        Assert.Null(await products.GetAsync(99L));

        var many = await products.GetManyAsync([7L, 2, 99, 3]);
        Assert.Equal([2L, 3, 7], many.Select(p => p.Id)); // table order; missing keys left out
        Assert.Empty(await products.GetManyAsync(System.Array.Empty<long>()));
    }

    [Fact]
    public async Task A_guid_key_from_DataAnnotations_works_too()
    {
        var db = await _db.ConnectAsync();
        var ids = Enumerable.Range(0, 5).Select(_ => Guid.NewGuid()).ToList();
        var table = await db.CreateTableAsync("guids", ids.Select((id, i) => new GuidKeyed { Id = id, Name = $"n{i}" }));

        Assert.Equal("n3", (await table.GetAsync(ids[3]))!.Name);
        Assert.Null(await table.GetAsync(Guid.NewGuid()));
        Assert.Equal(["n1", "n4"], (await table.GetManyAsync([ids[4], ids[1]])).Select(r => r.Name));
    }

    [Fact]
    public async Task Lookups_without_a_single_key_say_why()
    {
        var db = await _db.ConnectAsync();
        var unkeyed = await db.CreateTableAsync("unkeyed", [new Unkeyed { Id = 1 }]);
        var stock = await db.CreateTableAsync("stock", [new Stock { Region = "eu", Sku = "a", Count = 1 }]);

        var none = await Assert.ThrowsAsync<InvalidOperationException>(() => unkeyed.GetAsync(1L));
        Assert.Contains("no [Key] member", none.Message, StringComparison.Ordinal);
        var composite = await Assert.ThrowsAsync<InvalidOperationException>(() => stock.GetManyAsync(["a"]));
        Assert.Contains("composite key (Region, Sku)", composite.Message, StringComparison.Ordinal);
        var merge = await Assert.ThrowsAsync<InvalidOperationException>(() => unkeyed.MergeInsertAsync([new Unkeyed { Id = 2 }]));
        Assert.Contains("x => x.Id", merge.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task MergeInsert_takes_lambda_keys_and_upserts_by_default()
    {
        var products = await Products(5);

        var byLambda = await products.MergeInsertAsync([Product.Sample(7)[2] with { Title = "changed" }, Product.Sample(7)[6]], on: x => x.Id);
        Assert.Equal(new MergeInsertResult(1, 1, 0), byLambda);
        Assert.Equal("changed", (await products.GetAsync(2L))!.Title);

        var byKey = await products.MergeInsertAsync([Product.Sample(9)[8], Product.Sample(9)[0] with { Title = "zero" }]);
        Assert.Equal(new MergeInsertResult(1, 1, 0), byKey);
        Assert.Equal("zero", (await products.GetAsync(0L))!.Title);

        var insertOnly = await products.MergeInsertAsync([Product.Sample(9)[1] with { Title = "ignored" }], x => x.Id, MergeInsertOptions.InsertIfNotExists);
        Assert.Equal(new MergeInsertResult(0, 0, 0), insertOnly);
        Assert.Equal(7, await products.CountRowsAsync());
    }

    [Fact]
    public async Task MergeInsert_takes_a_composite_key_as_an_anonymous_type()
    {
        var db = await _db.ConnectAsync();
        var stock = await db.CreateTableAsync("stock", [
            new Stock { Region = "eu", Sku = "a", Count = 1 },
            new Stock { Region = "us", Sku = "a", Count = 2 },
        ]);

        var result = await stock.MergeInsertAsync([new Stock { Region = "us", Sku = "a", Count = 20 }, new Stock { Region = "us", Sku = "b", Count = 3 }], x => new { x.Region, x.Sku });

        Assert.Equal(new MergeInsertResult(1, 1, 0), result);
        var rows = await stock.Query().OrderBy(x => x.Region).ThenBy(x => x.Sku).ToListAsync();
        Assert.Equal(["eu/a/1", "us/a/20", "us/b/3"], rows.Select(r => $"{r.Region}/{r.Sku}/{r.Count}"));

        // The [Key] members are the default keys of a composite model too.
        Assert.Equal(new MergeInsertResult(0, 1, 0), await stock.MergeInsertAsync([new Stock { Region = "eu", Sku = "a", Count = 5 }]));
    }

    [Fact]
    public async Task The_untyped_merge_insert_has_the_typed_shape()
    {
        var products = await Products(3);
        var db = products.Database;
        var table = await db.OpenTableAsync("products");

        var result = await table.MergeInsertAsync([Product.ToRecordBatch(Product.Sample(4).Skip(2).ToArray())], [Columns<Product>.Name(x => x.Id)]);

        Assert.Equal(new MergeInsertResult(1, 1, 0), result);
        Assert.Equal(4, await table.CountRowsAsync());
    }

    [Fact]
    public async Task OrderBy_sorts_a_typed_plain_query_before_offset_and_limit()
    {
        var products = await Products(12);

        var byPrice = await products.Query().OrderBy(x => x.Price).ThenByDescending(x => x.Id).ToListAsync();
        // Prices are (i*7)%10 except every fourth row, which is null: nulls last, ties by id descending.
        var expected = Product.Sample(12).OrderBy(p => p.Price is null).ThenBy(p => p.Price).ThenByDescending(p => p.Id).Select(p => p.Id);
        Assert.Equal(expected, byPrice.Select(p => p.Id));

        var page = await products.Query().Where(x => x.Rank != 1).OrderByDescending(x => x.StockKeepingUnit).Offset(1).Limit(3).ToListAsync();
        Assert.Equal([9L, 8, 6], page.Select(p => p.Id));

        var nullsFirst = await products.Query().OrderByDescending(x => x.Price, nullsFirst: true).Limit(4).ToListAsync();
        Assert.All(nullsFirst.Take(3), p => Assert.Null(p.Price));
        Assert.Equal(9, nullsFirst[3].Price);

        // The sort column need not be projected.
        var titles = await products.Query().OrderByDescending(x => x.Id).Limit(2).Select(x => new { x.Title }).ToListAsync();
        Assert.Equal(["product 11", "product 10"], titles.Select(t => t.Title));
    }

    [Fact]
    public async Task A_projection_pages_like_the_query_it_projects()
    {
        var products = await Products(12);

        // Limit and Offset after Select are the query's own, whichever comes first.
        var after = await products.Query().OrderBy(x => x.Id).Select(x => x.Title).Offset(2).Limit(3).ToListAsync();
        var before = await products.Query().OrderBy(x => x.Id).Offset(2).Limit(3).Select(x => x.Title).ToListAsync();
        Assert.Equal(["product 2", "product 3", "product 4"], after);
        Assert.Equal(after, before);

        var first = await products.Query().OrderByDescending(x => x.Id).Select(x => new { x.Id }).FirstOrDefaultAsync();
        Assert.Equal(11, first!.Id);
        Assert.Throws<ArgumentOutOfRangeException>(() => products.Query().Select(x => x.Id).Limit(0));
        Assert.Throws<ArgumentOutOfRangeException>(() => products.Query().Select(x => x.Id).Offset(-1));
    }

    [Fact]
    public async Task OrderBy_on_an_untyped_query_keeps_the_projection()
    {
        await Products(6);
        var table = await (await _db.ConnectAsync()).OpenTableAsync("products");

        var batch = await table.Query().OrderByDescending("rank").ThenBy("id").Select("title").WithRowId().ToBatchAsync();

        Assert.Equal(["title", "_rowid"], batch.Schema.FieldsList.Select(f => f.Name));
        var titles = (StringArray)batch.Column("title");
        Assert.Equal(["product 2", "product 5", "product 1", "product 4", "product 0", "product 3"], Enumerable.Range(0, batch.Length).Select(i => titles.GetString(i)));

        var missing = await Assert.ThrowsAsync<LanceSchemaException>(() => table.Query().OrderBy("nope").ToBatchAsync());
        Assert.Contains("'nope'", missing.Message, StringComparison.Ordinal);
        Assert.Throws<InvalidOperationException>(() => table.Query().ThenBy("id"));
        var vector = await Assert.ThrowsAsync<NotSupportedException>(() => table.Query().OrderBy("embedding").ToBatchAsync());
        Assert.Contains("has no order", vector.Message, StringComparison.Ordinal);
    }
}
