using Microsoft.Extensions.VectorData;

namespace Lance.Orm.VectorData.Tests;

public sealed class CrudTests : IDisposable
{
    private readonly TestStore _store = new();

    public void Dispose() => _store.Dispose();

    private static Hotel NewHotel(long id, string name = "Grand", float[]? vector = null) => new()
    {
        HotelId = id, HotelName = name, Rating = (int)id, Parking = id % 2 == 0, Floors = id % 3 == 0 ? null : (int)id * 2,
        Tags = ["t" + id, "all"], ListTags = ["l" + id], Embedding = vector ?? [1f, id, 0f],
    };

    [Fact]
    public async Task Upserted_record_is_read_back_by_key_without_vectors_by_default()
    {
        var hotels = await _store.CollectionAsync<long, Hotel>();
        await hotels.UpsertAsync(NewHotel(1, "Alpha"));

        var read = await hotels.GetAsync(1);

        Assert.NotNull(read);
        Assert.Equal("Alpha", read.HotelName);
        Assert.Equal(1, read.Rating);
        Assert.Equal(["t1", "all"], read.Tags);
        Assert.Equal(["l1"], read.ListTags);
        Assert.Equal(2, read.Floors);
        Assert.Null(read.Embedding);
    }

    [Fact]
    public async Task Get_with_IncludeVectors_returns_the_vector()
    {
        var hotels = await _store.CollectionAsync<long, Hotel>();
        await hotels.UpsertAsync(NewHotel(4, vector: [0.5f, 0.25f, 2f]));

        var read = await hotels.GetAsync(4, new RecordRetrievalOptions { IncludeVectors = true });

        Assert.Equal([0.5f, 0.25f, 2f], read!.Embedding!.Value.ToArray());
    }

    [Fact]
    public async Task Get_of_a_missing_key_returns_null()
    {
        var hotels = await _store.CollectionAsync<long, Hotel>();
        await hotels.UpsertAsync(NewHotel(1));

        Assert.Null(await hotels.GetAsync(99));
    }

    [Fact]
    public async Task Upsert_of_an_existing_key_replaces_the_record()
    {
        var hotels = await _store.CollectionAsync<long, Hotel>();
        await hotels.UpsertAsync([NewHotel(1, "Old"), NewHotel(2)]);

        await hotels.UpsertAsync(NewHotel(1, "New"));

        Assert.Equal("New", (await hotels.GetAsync(1))!.HotelName);
        Assert.Equal(2, await hotels.GetAsync(r => true, 100).CountAsync());
    }

    [Fact]
    public async Task Batch_upsert_and_batch_get_skip_missing_keys()
    {
        var hotels = await _store.CollectionAsync<long, Hotel>();
        await hotels.UpsertAsync(Enumerable.Range(1, 5).Select(i => NewHotel(i)));

        var read = await hotels.GetAsync([2L, 4L, 42L]).ToListAsync();

        Assert.Equal([2L, 4L], read.Select(h => h.HotelId).Order());
    }

    [Fact]
    public async Task Batch_upsert_with_a_key_twice_keeps_the_last_record()
    {
        var hotels = await _store.CollectionAsync<long, Hotel>();

        await hotels.UpsertAsync([NewHotel(7, "First"), NewHotel(7, "Second")]);

        Assert.Equal("Second", (await hotels.GetAsync(7))!.HotelName);
        Assert.Single(await hotels.GetAsync(r => true, 10).ToListAsync());
    }

    [Fact]
    public async Task Empty_batches_are_no_ops()
    {
        var hotels = await _store.CollectionAsync<long, Hotel>();

        await hotels.UpsertAsync([]);
        await hotels.DeleteAsync(Array.Empty<long>());

        Assert.Empty(await hotels.GetAsync(Array.Empty<long>()).ToListAsync());
    }

    [Fact]
    public async Task Delete_removes_one_record_and_ignores_a_missing_key()
    {
        var hotels = await _store.CollectionAsync<long, Hotel>();
        await hotels.UpsertAsync([NewHotel(1), NewHotel(2)]);

        await hotels.DeleteAsync(1);
        await hotels.DeleteAsync(99);

        Assert.Null(await hotels.GetAsync(1));
        Assert.NotNull(await hotels.GetAsync(2));
    }

    [Fact]
    public async Task Batch_delete_removes_every_listed_key()
    {
        var hotels = await _store.CollectionAsync<long, Hotel>();
        await hotels.UpsertAsync(Enumerable.Range(1, 6).Select(i => NewHotel(i)));

        await hotels.DeleteAsync([1L, 3L, 5L]);

        Assert.Equal([2L, 4L, 6L], (await hotels.GetAsync(r => true, 10).ToListAsync()).Select(h => h.HotelId).Order());
    }

    [Fact]
    public async Task String_keys_round_trip_with_quotes()
    {
        var items = await _store.CollectionAsync<string, StringKeyed>();
        await items.UpsertAsync([new StringKeyed { Id = "o'brien", Text = "quoted", Vector = [1, 2] }, new StringKeyed { Id = "b", Text = "plain", Vector = [3, 4] }]);

        Assert.Equal("quoted", (await items.GetAsync("o'brien"))!.Text);
        await items.DeleteAsync("o'brien");
        Assert.Null(await items.GetAsync("o'brien"));
        Assert.NotNull(await items.GetAsync("b"));
    }

    [Fact]
    public async Task Guid_keys_round_trip_and_an_empty_key_is_generated()
    {
        var items = await _store.CollectionAsync<Guid, GuidKeyed>();
        var given = Guid.NewGuid();
        var generated = new GuidKeyed { Text = "auto", Vector = new(new float[] { 1f, 1f }) };

        await items.UpsertAsync([new GuidKeyed { Id = given, Text = "given", Vector = new(new float[] { 0f, 1f }) }, generated]);

        Assert.NotEqual(Guid.Empty, generated.Id);
        Assert.Equal("given", (await items.GetAsync(given))!.Text);
        var auto = await items.GetAsync(generated.Id, new RecordRetrievalOptions { IncludeVectors = true });
        Assert.Equal("auto", auto!.Text);
        Assert.Equal([1f, 1f], auto.Vector!.Vector.ToArray());
    }

    [Fact]
    public async Task Every_supported_data_type_round_trips_including_nulls()
    {
        var items = await _store.CollectionAsync<long, AllTypes>();
        var full = new AllTypes
        {
            Id = 1, Bool = true, Short = -3, Int = 42, Long = long.MaxValue, Float = 1.5f, Double = -2.25, String = "héllo",
            Guid = Guid.NewGuid(), DateTime = new DateTime(2024, 5, 6, 7, 8, 9, DateTimeKind.Utc),
            DateTimeOffset = new DateTimeOffset(2024, 1, 2, 3, 4, 5, TimeSpan.Zero), DateOnly = new DateOnly(2020, 2, 29),
            Bytes = [1, 2, 255], NullableInt = 7, NullableDouble = 0.5, NullableBool = false, Ints = [1, 2, 3], Longs = [9, 8], Doubles = [0.1],
            Vector = new float[] { 0.25f, 0.75f },
        };
        var empty = new AllTypes { Id = 2, Vector = new float[] { 1f, 0f } };
        await items.UpsertAsync([full, empty]);

        var a = (await items.GetAsync(1, new RecordRetrievalOptions { IncludeVectors = true }))!;
        var b = (await items.GetAsync(2))!;

        Assert.Equal((full.Bool, full.Short, full.Int, full.Long, full.Float, full.Double, full.String), (a.Bool, a.Short, a.Int, a.Long, a.Float, a.Double, a.String));
        Assert.Equal((full.Guid, full.DateTime, full.DateTimeOffset, full.DateOnly), (a.Guid, a.DateTime, a.DateTimeOffset, a.DateOnly));
        Assert.Equal(full.Bytes, a.Bytes);
        Assert.Equal((7, 0.5, false), (a.NullableInt, a.NullableDouble, a.NullableBool));
        Assert.Equal(full.Ints, a.Ints);
        Assert.Equal(full.Longs, a.Longs);
        Assert.Equal(full.Doubles, a.Doubles);
        Assert.Equal([0.25f, 0.75f], a.Vector.ToArray());
        Assert.Null(b.String);
        Assert.Null(b.Bytes);
        Assert.Null(b.NullableInt);
        Assert.Null(b.NullableBool);
        Assert.Null(b.Ints);
        Assert.Null(b.Longs);
    }

    [Fact]
    public async Task Get_by_filter_honours_top_skip_and_order_by()
    {
        var hotels = await _store.CollectionAsync<long, Hotel>();
        await hotels.UpsertAsync(Enumerable.Range(1, 10).Select(i => NewHotel(i)));

        var page = await hotels.GetAsync(h => h.Rating > 2, top: 3, new FilteredRecordRetrievalOptions<Hotel>
        {
            Skip = 2,
            OrderBy = o => o.Descending(h => h.Rating),
        }).ToListAsync();

        Assert.Equal([8L, 7L, 6L], page.Select(h => h.HotelId));
    }

    [Fact]
    public async Task Get_by_filter_without_order_returns_at_most_top()
    {
        var hotels = await _store.CollectionAsync<long, Hotel>();
        await hotels.UpsertAsync(Enumerable.Range(1, 10).Select(i => NewHotel(i)));

        var rows = await hotels.GetAsync(h => h.Parking, top: 3).ToListAsync();

        Assert.Equal(3, rows.Count);
        Assert.All(rows, h => Assert.True(h.Parking));
    }

    [Fact]
    public async Task Two_collections_of_one_store_see_each_others_writes()
    {
        var writer = await _store.CollectionAsync<long, Hotel>("shared");
        var reader = _store.Store.GetCollection<long, Hotel>("shared");

        await writer.UpsertAsync(NewHotel(3));

        Assert.NotNull(await reader.GetAsync(3));
    }
}
