using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.VectorData;

namespace Lance.Orm.VectorData.Tests;

public sealed class CollectionManagementTests : IDisposable
{
    private readonly TestStore _store = new();

    public void Dispose() => _store.Dispose();

    [Fact]
    public async Task A_collection_exists_after_EnsureCollectionExists_and_not_after_delete()
    {
        var hotels = _store.Store.GetCollection<long, Hotel>("hotels");
        Assert.False(await hotels.CollectionExistsAsync());

        await hotels.EnsureCollectionExistsAsync();
        Assert.True(await hotels.CollectionExistsAsync());
        Assert.True(await _store.Store.CollectionExistsAsync("hotels"));

        await hotels.EnsureCollectionDeletedAsync();
        Assert.False(await hotels.CollectionExistsAsync());
    }

    [Fact]
    public async Task EnsureCollectionExists_twice_keeps_the_data()
    {
        var hotels = await _store.CollectionAsync<long, Hotel>("hotels");
        await hotels.UpsertAsync(new Hotel { HotelId = 1, HotelName = "Kept", Embedding = new float[] { 1, 2, 3 } });

        await _store.Store.GetCollection<long, Hotel>("hotels").EnsureCollectionExistsAsync();

        Assert.Equal("Kept", (await hotels.GetAsync(1))!.HotelName);
    }

    [Fact]
    public async Task EnsureCollectionDeleted_of_a_missing_collection_is_a_no_op()
    {
        await _store.Store.EnsureCollectionDeletedAsync("never");
        await _store.Store.GetCollection<long, Hotel>("never").EnsureCollectionDeletedAsync();

        Assert.False(await _store.Store.CollectionExistsAsync("never"));
    }

    [Fact]
    public async Task Store_delete_is_seen_by_collections_and_recreation_starts_empty()
    {
        var hotels = await _store.CollectionAsync<long, Hotel>("hotels");
        await hotels.UpsertAsync(new Hotel { HotelId = 1, Embedding = new float[] { 1, 2, 3 } });

        await _store.Store.EnsureCollectionDeletedAsync("hotels");
        await hotels.EnsureCollectionExistsAsync();

        Assert.Null(await hotels.GetAsync(1));
    }

    [Fact]
    public async Task ListCollectionNames_lists_every_collection()
    {
        await _store.CollectionAsync<long, Hotel>("a");
        await _store.CollectionAsync<string, StringKeyed>("b");

        var names = await _store.Store.ListCollectionNamesAsync().ToListAsync();

        Assert.Equal(["a", "b"], names.Order());
    }

    [Fact]
    public async Task Operations_on_a_missing_collection_throw_VectorStoreException_naming_it()
    {
        var hotels = _store.Store.GetCollection<long, Hotel>("missing");

        var error = await Assert.ThrowsAsync<VectorStoreException>(() => hotels.GetAsync(1));

        Assert.Equal("missing", error.CollectionName);
        Assert.Equal("lancedb", error.VectorStoreSystemName);
        Assert.Contains("missing", error.Message);
    }

    [Fact]
    public void Metadata_names_the_system_store_and_collection()
    {
        var hotels = _store.Store.GetCollection<long, Hotel>("hotels");

        var store = (VectorStoreMetadata)_store.Store.GetService(typeof(VectorStoreMetadata))!;
        var collection = (VectorStoreCollectionMetadata)hotels.GetService(typeof(VectorStoreCollectionMetadata))!;

        Assert.Equal("lancedb", store.VectorStoreSystemName);
        Assert.Equal(_store.Folder, store.VectorStoreName);
        Assert.Equal(("lancedb", "hotels"), (collection.VectorStoreSystemName, collection.CollectionName));
        Assert.Null(hotels.GetService(typeof(VectorStoreCollectionMetadata), "key"));
        Assert.Null(hotels.GetService(typeof(string)));
    }

    [Fact]
    public void Unsupported_key_type_is_refused()
    {
        var error = Assert.Throws<NotSupportedException>(() => _store.Store.GetCollection<int, IntKeyed>("ints"));

        Assert.Contains("long, string, Guid", error.Message);
    }

    [Fact]
    public void Key_type_parameter_must_match_the_key_property()
    {
        Assert.Throws<InvalidOperationException>(() => _store.Store.GetCollection<string, Hotel>("hotels"));
    }

    [Fact]
    public void Dictionary_records_need_the_dynamic_collection()
    {
        Assert.Throws<NotSupportedException>(() => _store.Store.GetCollection<object, Dictionary<string, object?>>("dyn"));
    }

    [Fact]
    public void Unsupported_data_type_is_refused_with_the_supported_list()
    {
        var error = Assert.Throws<NotSupportedException>(() => _store.Store.GetCollection<long, DecimalData>("dec"));

        Assert.Contains("Amount", error.Message);
    }

    [Fact]
    public async Task Vector_of_wrong_dimensions_is_refused_on_upsert()
    {
        var hotels = await _store.CollectionAsync<long, Hotel>("hotels");

        var error = await Assert.ThrowsAsync<ArgumentException>(() => hotels.UpsertAsync(new Hotel { HotelId = 1, Embedding = new float[] { 1, 2 } }));

        Assert.Contains("Embedding", error.Message);
    }

    [Fact]
    public async Task AddLanceVectorStore_registers_the_store_and_a_collection()
    {
        var services = new ServiceCollection();
        services.AddLanceVectorStore(_store.Folder);
        services.AddLanceCollection<long, Hotel>("di-hotels");
        await using var provider = services.BuildServiceProvider();

        var store = provider.GetRequiredService<VectorStore>();
        var hotels = provider.GetRequiredService<VectorStoreCollection<long, Hotel>>();
        await hotels.EnsureCollectionExistsAsync();

        Assert.IsType<LanceVectorStore>(store);
        Assert.Same(store, provider.GetRequiredService<LanceVectorStore>());
        Assert.True(await store.CollectionExistsAsync("di-hotels"));
    }

    [Fact]
    public async Task A_store_over_an_open_database_uses_it()
    {
        await using var database = await LanceDb.ConnectAsync(_store.Folder);
        using var store = new LanceVectorStore(database);
        var hotels = store.GetCollection<long, Hotel>("over-db");

        await hotels.EnsureCollectionExistsAsync();

        Assert.Contains("over-db", await database.TableNamesAsync());
        Assert.Same(database, store.GetService(typeof(Database)));
    }

    public sealed class IntKeyed
    {
        [VectorStoreKey] public int Id { get; set; }
    }

    public sealed class DecimalData
    {
        [VectorStoreKey] public long Id { get; set; }
        [VectorStoreData] public decimal Amount { get; set; }
    }
}
