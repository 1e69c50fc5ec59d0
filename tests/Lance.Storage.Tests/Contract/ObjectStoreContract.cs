using System.Text;
using Lance.Engine.Storage;

namespace Lance.Storage.Tests.Contract;

/// <summary>
/// What every <see cref="IObjectStore"/> must do, run against each store: local disk, memory, S3
/// (s3rver) and Azure Blob (Azurite). Each test gets a fresh, empty store.
/// </summary>
public abstract class ObjectStoreContract
{
    /// <summary>A fresh, empty store.</summary>
    protected abstract IObjectStore NewStore();

    /// <summary>Whether the store honours conditional creates (s3rver does not: see <see cref="S3StoreContract"/>).</summary>
    protected virtual bool HonoursConditionalCreate => true;

    [Fact]
    public async Task An_object_put_is_read_back_whole_and_by_range()
    {
        await using var store = NewStore();
        var data = Bytes(10_000);
        await store.PutAsync("data/a.lance", data);

        using var reader = await store.OpenReadAsync("data/a.lance");
        Assert.Equal(data.Length, reader.Length);
        var all = new byte[data.Length];
        await reader.ReadAsync(0, all);
        Assert.Equal(data, all);

        var middle = new byte[100];
        await reader.ReadAsync(4_321, middle);
        Assert.Equal(data.AsSpan(4_321, 100).ToArray(), middle);

        var blocking = new byte[7];
        reader.Read(data.Length - 7, blocking);
        Assert.Equal(data.AsSpan(data.Length - 7).ToArray(), blocking);
    }

    [Fact]
    public async Task A_range_past_the_end_is_refused()
    {
        await using var store = NewStore();
        await store.PutAsync("x", Bytes(10));
        using var reader = await store.OpenReadAsync("x");
        await Assert.ThrowsAsync<EndOfStreamException>(async () => await reader.ReadAsync(5, new byte[6]));
    }

    [Fact]
    public async Task A_missing_object_has_no_head_and_cannot_be_opened()
    {
        await using var store = NewStore();
        await store.PutAsync("_versions/2.manifest", Bytes(1));
        Assert.Null(await store.HeadAsync("_versions/1.manifest"));
        await Assert.ThrowsAsync<FileNotFoundException>(async () => await store.OpenReadAsync("_versions/1.manifest"));
    }

    [Fact]
    public async Task Head_reports_size_and_a_recent_time()
    {
        await using var store = NewStore();
        await store.PutAsync("a/b", Bytes(123));
        var info = await store.HeadAsync("a/b");
        Assert.NotNull(info);
        Assert.Equal("a/b", info.Value.Key);
        Assert.Equal(123, info.Value.Length);
        Assert.InRange(info.Value.LastModified, DateTimeOffset.UtcNow.AddHours(-1), DateTimeOffset.UtcNow.AddHours(1));
    }

    [Fact]
    public async Task Listing_by_prefix_returns_relative_keys_under_it_only()
    {
        await using var store = NewStore();
        await store.PutAsync("_versions/1.manifest", Bytes(1));
        await store.PutAsync("_versions/2.manifest", Bytes(2));
        await store.PutAsync("data/x.lance", Bytes(3));
        await store.PutAsync("_versions_not/3.manifest", Bytes(4));

        var listed = new List<ObjectInfo>();
        await foreach (var item in store.ListAsync("_versions/"))
        {
            listed.Add(item);
        }

        Assert.Equal(["_versions/1.manifest", "_versions/2.manifest"], listed.Select(i => i.Key).Order(StringComparer.Ordinal));
        Assert.Equal([1L, 2L], listed.OrderBy(i => i.Key, StringComparer.Ordinal).Select(i => i.Length));

        var everything = new List<string>();
        await foreach (var item in store.ListAsync(""))
        {
            everything.Add(item.Key);
        }

        Assert.Equal(4, everything.Count);
        Assert.Empty(await ToListAsync(store.ListAsync("nothing/")));
    }

    [Fact]
    public async Task Put_replaces_and_delete_removes_even_twice()
    {
        await using var store = NewStore();
        await store.PutAsync("k", Encoding.UTF8.GetBytes("one"));
        await store.PutAsync("k", Encoding.UTF8.GetBytes("three"));
        Assert.Equal("three", await ReadTextAsync(store, "k"));

        await store.DeleteAsync("k");
        Assert.Null(await store.HeadAsync("k"));
        await store.DeleteAsync("k");
    }

    [Fact]
    public async Task A_streamed_object_appears_whole_on_completion_and_not_at_all_when_abandoned()
    {
        await using var store = NewStore();
        var data = Bytes(300_000);
        await using (var writer = await store.CreateAsync("data/big.lance"))
        {
            await writer.Stream.WriteAsync(data.AsMemory(0, 100_000));
            Assert.Null(await store.HeadAsync("data/big.lance"));
            await writer.Stream.WriteAsync(data.AsMemory(100_000));
            await writer.CompleteAsync();
        }

        Assert.Equal(data.Length, (await store.HeadAsync("data/big.lance"))!.Value.Length);

        await using (var abandoned = await store.CreateAsync("data/half.lance"))
        {
            await abandoned.Stream.WriteAsync(data.AsMemory(0, 1_000));
        }

        Assert.Null(await store.HeadAsync("data/half.lance"));
        Assert.DoesNotContain(await ToListAsync(store.ListAsync("data/")), i => i.Key.Contains("half", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_conditional_create_succeeds_once_and_leaves_the_first_bytes()
    {
        await using var store = NewStore();
        if (!HonoursConditionalCreate)
        {
            await Assert.ThrowsAnyAsync<NotSupportedException>(async () => await store.PutIfAbsentAsync("_versions/1.manifest", Bytes(5)));
            return;
        }

        Assert.True(await store.PutIfAbsentAsync("_versions/1.manifest", Encoding.UTF8.GetBytes("first")));
        Assert.False(await store.PutIfAbsentAsync("_versions/1.manifest", Encoding.UTF8.GetBytes("second")));
        Assert.Equal("first", await ReadTextAsync(store, "_versions/1.manifest"));
    }

    [Fact]
    public async Task Of_eight_racing_conditional_creates_exactly_one_wins()
    {
        await using var store = NewStore();
        if (!HonoursConditionalCreate)
        {
            return; // shown refused above
        }

        for (var round = 0; round < 5; round++)
        {
            var key = $"_versions/{round}.manifest";
            var results = await Task.WhenAll(Enumerable.Range(0, 8).Select(i =>
                Task.Run(async () => (i, await store.PutIfAbsentAsync(key, Encoding.UTF8.GetBytes($"writer {i}"))))));
            var winners = results.Where(r => r.Item2).ToList();
            Assert.Single(winners);
            Assert.Equal($"writer {winners[0].i}", await ReadTextAsync(store, key));
        }
    }

    protected static byte[] Bytes(int count)
    {
        var data = new byte[count];
        new Random(count).NextBytes(data);
        return data;
    }

    protected static async Task<string> ReadTextAsync(IObjectStore store, string key)
    {
        using var reader = await store.OpenReadAsync(key);
        var bytes = new byte[reader.Length];
        await reader.ReadAsync(0, bytes);
        return Encoding.UTF8.GetString(bytes);
    }

    protected static async Task<List<ObjectInfo>> ToListAsync(IAsyncEnumerable<ObjectInfo> items)
    {
        var list = new List<ObjectInfo>();
        await foreach (var item in items)
        {
            list.Add(item);
        }

        return list;
    }
}
